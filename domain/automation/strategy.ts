/**
 * How a run walks its targets: batches (Ansible's `serial`) and the failure threshold
 * that stops it (Ansible's `max_fail_percentage`). Pure, so the run workflow and the docs'
 * examples agree by construction. docs/automation.md#batches-and-failure-thresholds.
 */

/** A batch size: a host count (`5`) or a share of all targets (`"30%"`). */
export type BatchSize = number | `${number}%`;

/** `serial`: one size for every batch, or sizes in order whose last one repeats. */
export type Serial = BatchSize | BatchSize[];

export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}

/** One size as a host count: percentages of `total` round down, with a minimum of one. */
export function hostsIn(size: BatchSize, total: number): number {
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size < 1) throw new StrategyError(`a batch size is a whole number of hosts of at least 1 or a percentage; got ${size}`);
    return size;
  }
  const match = /^(\d+(?:\.\d+)?)%$/.exec(size);
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent > 0 && percent <= 100)) throw new StrategyError(`a batch percentage is above 0% and at most 100%; got '${size}'`);
  return Math.max(1, Math.floor((total * percent) / 100));
}

/**
 * The batch sizes for `total` targets. Without `serial`, one batch of all. A list's sizes
 * apply in order and its last size repeats until every target has a batch; a size larger
 * than what is left takes what is left.
 */
export function batchSizes(total: number, serial?: Serial): number[] {
  if (total === 0) return [];
  if (serial === undefined) return [total];
  const sizes = Array.isArray(serial) ? serial : [serial];
  if (sizes.length === 0) throw new StrategyError('serial is an empty list: give at least one size');
  const counts = sizes.map((size) => hostsIn(size, total));
  const batches: number[] = [];
  for (let left = total, i = 0; left > 0; i++) {
    const size = Math.min(counts[Math.min(i, counts.length - 1)]!, left);
    batches.push(size);
    left -= size;
  }
  return batches;
}

/** The targets cut into batches, in order. */
export function batchesOf<T>(targets: readonly T[], serial?: Serial): T[][] {
  let start = 0;
  return batchSizes(targets.length, serial).map((size) => targets.slice(start, (start += size)));
}

/**
 * Whether a finished batch stops the run: when every host of the batch failed, always;
 * otherwise when the batch's failed share strictly exceeds `maxFailPercentage` (so 0 stops
 * on the first failure and 100 only when all failed).
 */
export function batchStopsRun(batchSize: number, failed: number, maxFailPercentage?: number): boolean {
  if (batchSize === 0) return false;
  if (failed >= batchSize) return true;
  if (maxFailPercentage === undefined) return false;
  return (failed * 100) / batchSize > maxFailPercentage;
}
