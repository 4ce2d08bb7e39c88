import { type CloudCallOptions, CloudError, type CloudProvider, type CloudServer, type CloudServerStatus, hasReached } from '../../domain/automation/cloud';

/**
 * Waiting for a server to get somewhere, by polling the provider until a deadline: what a
 * `cloud.server.*` step does after its action was accepted. Each poll is reported, so the
 * activity can heartbeat with it (and a cancelled activity's signal stops the wait). A
 * transient failure of one poll (a 503 while the API restarts) is reported and the polling
 * goes on; a server that goes to `error` or disappears ends the wait at once.
 */

export interface WaitProgress {
  attempt: number;
  elapsedMs: number;
  /** The server as last seen, or null when this poll failed. */
  server: CloudServer | null;
  /** Why this poll failed (a transient error), if it did. */
  error: string | null;
}

export interface WaitOptions extends CloudCallOptions {
  timeoutMs: number;
  /** Between polls (default 5 000 ms). */
  intervalMs?: number;
  onProgress?: (progress: WaitProgress) => void;
  now?: () => number;
}

export async function waitForStatus(provider: CloudProvider, id: string, until: CloudServerStatus | readonly CloudServerStatus[], options: WaitOptions): Promise<CloudServer> {
  const statuses: readonly CloudServerStatus[] = typeof until === 'string' ? [until] : until;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5_000;
  const started = now();
  let last: CloudServer | null = null;
  let lastError: CloudError | null = null;
  for (let attempt = 1; ; attempt++) {
    let server: CloudServer | null = null;
    try {
      server = await provider.getServer(id, { signal: options.signal });
      last = server;
    } catch (error) {
      if (!(error instanceof CloudError) || !error.retryable) throw error;
      lastError = error;
    }
    options.onProgress?.({ attempt, elapsedMs: now() - started, server, error: server ? null : (lastError?.message ?? null) });
    if (server && hasReached(server, statuses)) return server;
    if (server && (server.status === 'error' || server.status === 'deleted') && !statuses.includes(server.status)) {
      const fault = server.fault ? `: ${server.fault.message}` : '';
      throw new CloudError('server_failed', `server ${server.name} (${id}) went to ${server.status} (${server.providerStatus})${fault} while waiting for it to be ${statuses.join(' or ')}`);
    }
    if (now() + interval - started > options.timeoutMs) {
      const seen = last ? `it is ${last.status} (${last.providerStatus}${last.task ? `, ${last.task}` : ''})` : 'it could not be read';
      throw new CloudError('timeout', `server ${id} was not ${statuses.join(' or ')} within ${Math.round(options.timeoutMs / 1000)} s: ${seen}${lastError && !server ? `; last poll: ${lastError.message}` : ''}`);
    }
    await sleep(interval, options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
