import { batchesOf, batchSizes, batchStopsRun, hostsIn, StrategyError } from '../../../domain/automation/strategy';

describe('batches (Ansible serial)', () => {
  test('no serial: one batch of every target; no targets: no batches', () => {
    expect(batchSizes(7)).toEqual([7]);
    expect(batchSizes(0, 3)).toEqual([]);
  });

  test('a number: fixed batches, the last one takes what is left', () => {
    expect(batchSizes(10, 3)).toEqual([3, 3, 3, 1]);
    expect(batchSizes(2, 5)).toEqual([2]);
  });

  test('a percentage rounds down with a minimum of one', () => {
    expect(hostsIn('30%', 10)).toBe(3);
    expect(hostsIn('33%', 10)).toBe(3);
    expect(hostsIn('5%', 10)).toBe(1);
    expect(batchSizes(10, '30%')).toEqual([3, 3, 3, 1]);
    expect(batchSizes(3, '10%')).toEqual([1, 1, 1]);
    expect(batchSizes(4, '100%')).toEqual([4]);
  });

  test('a list applies in order and its last size repeats', () => {
    expect(batchSizes(20, [1, 5, '50%'])).toEqual([1, 5, 10, 4]);
    expect(batchSizes(10, [1, 2])).toEqual([1, 2, 2, 2, 2, 1]);
    expect(batchSizes(2, [1, 5, 10])).toEqual([1, 1]);
  });

  test('targets are cut in order', () => {
    expect(batchesOf(['a', 'b', 'c', 'd', 'e'], [1, 2])).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  test('sizes that mean nothing are refused with the reason', () => {
    expect(() => batchSizes(5, 0)).toThrow(new StrategyError('a batch size is a whole number of hosts of at least 1 or a percentage; got 0'));
    expect(() => batchSizes(5, 1.5)).toThrow(StrategyError);
    expect(() => batchSizes(5, '0%')).toThrow(/above 0% and at most 100%/);
    expect(() => batchSizes(5, '150%')).toThrow(/at most 100%/);
    expect(() => batchSizes(5, 'ten%' as `${number}%`)).toThrow(/got 'ten%'/);
    expect(() => batchSizes(5, [])).toThrow(/empty list/);
  });
});

describe('failure threshold (Ansible max_fail_percentage)', () => {
  test('stops only when the failed share strictly exceeds the threshold', () => {
    expect(batchStopsRun(10, 3, 30)).toBe(false);
    expect(batchStopsRun(10, 4, 30)).toBe(true);
    expect(batchStopsRun(3, 1, 33)).toBe(true); // 33.3% > 33%
    expect(batchStopsRun(4, 1, 25)).toBe(false);
  });

  test('0% stops on the first failure; 100% and no threshold only when the whole batch failed', () => {
    expect(batchStopsRun(10, 1, 0)).toBe(true);
    expect(batchStopsRun(10, 0, 0)).toBe(false);
    expect(batchStopsRun(10, 9, 100)).toBe(false);
    expect(batchStopsRun(10, 10, 100)).toBe(true);
    expect(batchStopsRun(5, 4)).toBe(false);
    expect(batchStopsRun(5, 5)).toBe(true);
    expect(batchStopsRun(1, 1, 50)).toBe(true);
  });
});
