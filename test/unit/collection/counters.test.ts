import { counterRate, type CounterPoint } from '../../../domain/collection/counters';

const at = (seconds: number, value: string, bits: 32 | 64 = 64, uptime: number | null = seconds * 100 + 1_000): CounterPoint => ({ counter: { value, bits }, atMs: seconds * 1000, uptime });
const GBIT = 1_000_000_000;

test('the delta over the elapsed time, in bytes per second; 64-bit values beyond a double are exact', () => {
  expect(counterRate(at(0, '1000'), at(60, '61000'), GBIT)).toEqual({ ok: true, bytesPerSecond: 1000 });
  // 2^63 + 6,000,000 after 2^63: the difference survives, where doubles would round it away.
  expect(counterRate(at(0, '9223372036854775808'), at(60, '9223372036860775808'), GBIT)).toEqual({ ok: true, bytesPerSecond: 100_000 });
});

test('a 32-bit counter that went back wrapped once: the delta is taken across 2^32', () => {
  expect(counterRate(at(0, String(2 ** 32 - 1000), 32), at(10, '9000', 32), 100_000_000)).toEqual({ ok: true, bytesPerSecond: 1000 });
});

test('a 64-bit counter that went back was reset: no rate', () => {
  expect(counterRate(at(0, '5000000'), at(60, '1000'), GBIT)).toEqual({ ok: false, reason: 'reset' });
});

test('the agent restarted (sysUpTime went back): no rate, even when the counter seems to have grown', () => {
  expect(counterRate(at(0, '1000', 64, 900_000), at(60, '5000', 64, 300), GBIT)).toEqual({ ok: false, reason: 'restarted' });
  // Unknown uptimes do not count as a restart.
  expect(counterRate(at(0, '1000', 64, null), at(60, '61000', 64, null), GBIT)).toEqual({ ok: true, bytesPerSecond: 1000 });
});

test('a counter that changed width (ifHCInOctets appeared) gives no rate', () => {
  expect(counterRate(at(0, '1000', 32), at(60, '61000', 64), GBIT)).toEqual({ ok: false, reason: 'width_changed' });
});

test('a 32-bit counter on a link that can pass 2^32 octets between the polls may have wrapped more than once: no rate', () => {
  // 1 Gbit/s moves 2^32 octets in 34.4 s.
  expect(counterRate(at(0, '1000', 32), at(60, '2000', 32), GBIT)).toEqual({ ok: false, reason: 'ambiguous_wrap' });
  expect(counterRate(at(0, '1000', 32), at(30, '2000', 32), GBIT)).toEqual({ ok: true, bytesPerSecond: 1000 / 30 });
});

test('a 32-bit wrap that would mean more than the link carries was a reset: no rate; unknown speed is not checked', () => {
  // 10 Mbit/s link, 10 s: at most 12.5 MB; a wrap from 1,000,000 to 500,000 would be 4.29 GB.
  expect(counterRate(at(0, '1000000', 32), at(10, '500000', 32), 10_000_000)).toEqual({ ok: false, reason: 'reset' });
  expect(counterRate(at(0, '1000000', 32), at(10, '500000', 32), null)).toEqual({ ok: true, bytesPerSecond: (2 ** 32 - 500_000) / 10 });
});

test('a counter that grew faster than the stated speed is taken as it is: loopback and virtual interfaces state made-up speeds', () => {
  // Linux's lo says 10 Mbit/s; 1 GB in a minute is real traffic.
  expect(counterRate(at(0, '0'), at(60, '1000000000'), 10_000_000)).toEqual({ ok: true, bytesPerSecond: 1_000_000_000 / 60 });
});

test('no time between the readings: no rate', () => {
  expect(counterRate(at(60, '1000'), at(60, '2000'), GBIT)).toEqual({ ok: false, reason: 'no_time' });
  expect(counterRate(at(60, '1000'), at(30, '2000'), GBIT)).toEqual({ ok: false, reason: 'no_time' });
});
