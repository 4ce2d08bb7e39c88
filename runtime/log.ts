import pino, { type Logger } from 'pino';
import { ALL_SECRET_FIELDS } from '../domain/credential';

export type { Logger };

/**
 * Structured JSON logs (pino). On a terminal they are pretty-printed for people;
 * piped or in a container they stay one JSON object per line for log collectors.
 */
export function createLogger(level: string, name = 'flowdesk'): Logger {
  // Credential secret fields (password, token, privateKey …) are masked in a logged object and one level down.
  const options = { name, level, redact: ['req.headers.authorization', 'req.headers.cookie', ...ALL_SECRET_FIELDS.flatMap((field) => [field, `*.${field}`])] };
  if (!process.stdout.isTTY || level === 'silent') return pino(options);
  return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } });
}
