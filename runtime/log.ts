import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; `npm start` pipes them through pino-pretty on a terminal. */
export function createLogger(level: string, name = 'flowdesk'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'] });
}
