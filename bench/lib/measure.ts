import { performance } from 'node:perf_hooks';

/** Reads a positive integer from the environment, or the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

export interface LatencySummary {
  count: number;
  errors: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarize(samples: number[], errors = 0): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    errors,
    minMs: round(sorted[0] ?? NaN),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    meanMs: round(mean),
  };
}

export interface PoolResult<T> {
  results: Array<T | undefined>;
  latenciesMs: number[];
  errors: number;
  firstErrors: string[];
  elapsedMs: number;
  /** Successful operations per second over the whole pool. */
  perSecond: number;
}

/**
 * Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; times each call.
 * A failed call is counted, not retried; the first few messages are kept.
 */
export async function runPool<T>(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
  onProgress?: (done: number, n: number) => void,
): Promise<PoolResult<T>> {
  const results: Array<T | undefined> = new Array(n);
  const latenciesMs: number[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = performance.now();
      try {
        results[i] = await task(i);
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors++;
        if (firstErrors.length < 5) firstErrors.push((error as Error).message);
      }
      done++;
      onProgress?.(done, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  const elapsedMs = performance.now() - started;
  return { results, latenciesMs, errors, firstErrors, elapsedMs, perSecond: round((latenciesMs.length / elapsedMs) * 1000) };
}

/** Calls `say` at most every `everyMs` (and on the last item). */
export function progressEvery(say: (line: string) => void, label: string, everyMs = 2000) {
  let last = performance.now();
  return (done: number, n: number) => {
    const now = performance.now();
    if (done === n || now - last >= everyMs) {
      last = now;
      say(`  ${label}: ${done}/${n}`);
    }
  };
}

/** A fixed-width text table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
