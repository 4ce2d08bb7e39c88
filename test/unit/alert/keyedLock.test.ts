import { KeyedLock } from '../../../store/alerts/keyedLock';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedLock', () => {
  test('holders of one key run one after the other, in arrival order; other keys run meanwhile', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string, keys: string[]) =>
      lock.withLocks(keys, async () => {
        log.push(`${name} start`);
        await tick();
        await tick();
        log.push(`${name} end`);
      });
    await Promise.all([task('a', ['x']), task('b', ['x']), task('c', ['y'])]);
    expect(log.indexOf('a end')).toBeLessThan(log.indexOf('b start'));
    expect(log.indexOf('c start')).toBeLessThan(log.indexOf('a end'));
    expect(lock.size).toBe(0);
  });

  test('overlapping key sets taken in any order do not deadlock', async () => {
    const lock = new KeyedLock();
    let done = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => lock.withLocks(i % 2 ? ['p', 'q', 'p'] : ['q', 'p'], async () => void (done += 1))));
    expect(done).toBe(20);
    expect(lock.size).toBe(0);
  });

  test('a holder that throws releases its keys', async () => {
    const lock = new KeyedLock();
    await expect(lock.withLocks(['k'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.withLocks(['k'], async () => 'next')).resolves.toBe('next');
    expect(lock.size).toBe(0);
  });
});
