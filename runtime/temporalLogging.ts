import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from './log';

// The SDK logs worker life-cycle and bundler output at INFO: useful when debugging,
// noise otherwise. It follows our level only at debug and below.
const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'WARN', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };

/**
 * Sends the Temporal SDK's own logs (worker state, core) through our pino logger
 * instead of the console. The runtime is process-wide and can be installed once.
 */
export function routeTemporalLogs(logger: Logger): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const level = LEVELS[logger.level] ?? 'ERROR';
  try {
    Runtime.install({
      logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
        const method = entryLevel === 'WARN' ? 'warn' : entryLevel === 'ERROR' ? 'error' : entryLevel === 'INFO' ? 'info' : 'debug';
        sdk[method](meta ?? {}, message);
      }),
    });
  } catch {
    // Already installed (a test process, or a second stack in one process): keep it.
  }
}
