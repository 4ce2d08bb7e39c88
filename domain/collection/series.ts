/**
 * Trend reads of stored samples: the points of one instance, raw or in buckets of a fixed
 * step (average, minimum, maximum and count per bucket), so a chart of a month draws a few
 * hundred points rather than every poll. Buckets start at multiples of the step since the
 * epoch, so two reads of overlapping ranges agree on their buckets. Pure.
 */

export interface Point {
  at: string;
  value: number;
}

export interface Bucket {
  /** The bucket's start. */
  at: string;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/** Points in time order into buckets of `stepMs`; empty buckets are left out. */
export function bucketPoints(points: readonly Point[], stepMs: number): Bucket[] {
  const buckets: Bucket[] = [];
  let current: { start: number; sum: number; min: number; max: number; count: number } | null = null;
  const close = () => {
    if (current) buckets.push({ at: new Date(current.start).toISOString(), avg: Math.round((current.sum / current.count) * 100) / 100, min: current.min, max: current.max, count: current.count });
  };
  for (const point of points) {
    const start = Math.floor(Date.parse(point.at) / stepMs) * stepMs;
    if (!current || current.start !== start) {
      close();
      current = { start, sum: 0, min: point.value, max: point.value, count: 0 };
    }
    current.sum += point.value;
    current.min = Math.min(current.min, point.value);
    current.max = Math.max(current.max, point.value);
    current.count += 1;
  }
  close();
  return buckets;
}
