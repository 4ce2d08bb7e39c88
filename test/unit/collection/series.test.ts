import { bucketPoints } from '../../../domain/collection/series';
import { formatValue } from '../../../domain/collection/metrics';

test('points into buckets aligned to the step: average, minimum, maximum, count; empty buckets left out', () => {
  const points = [
    { at: '2026-03-01T10:00:10.000Z', value: 10 },
    { at: '2026-03-01T10:04:50.000Z', value: 30 },
    { at: '2026-03-01T10:05:00.000Z', value: 5 },
    { at: '2026-03-01T10:20:00.000Z', value: 7 },
  ];
  expect(bucketPoints(points, 5 * 60_000)).toEqual([
    { at: '2026-03-01T10:00:00.000Z', avg: 20, min: 10, max: 30, count: 2 },
    { at: '2026-03-01T10:05:00.000Z', avg: 5, min: 5, max: 5, count: 1 },
    { at: '2026-03-01T10:20:00.000Z', avg: 7, min: 7, max: 7, count: 1 },
  ]);
  expect(bucketPoints([], 60_000)).toEqual([]);
});

test('values with their units, as summaries show them', () => {
  expect(formatValue(93.456, 'percent')).toBe('93.5%');
  expect(formatValue(1_250_000_000, 'bit/s')).toBe('1.3 Gbit/s');
  expect(formatValue(999, 'bit/s')).toBe('999 bit/s');
  expect(formatValue(45 * 1024 ** 3, 'bytes')).toBe('45 GiB');
  expect(formatValue(0, 'bool')).toBe('0');
});
