import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino). On a terminal they are pretty-printed for people;
 * piped or in a container they stay one JSON object per line for log collectors.
 */
export function createLogger(level: string, name = 'flowdesk'): Logger {
  const options = { name, level, redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'] };
  if (!process.stdout.isTTY || level === 'silent') return pino(options);
  return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } });
}
