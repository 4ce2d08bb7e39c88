/**
 * Rates from two readings of an octet counter (RFC 2578 §7.1.6, RFC 2863 §3.1.6): a counter
 * only ever grows and wraps to 0 after its maximum, so a smaller value means it wrapped — or
 * the device restarted (or the counter was reset), which looks the same and would give a
 * huge false rate. The rules here, in order:
 *
 * - the agent restarted since the last poll (sysUpTime went back): no rate;
 * - the counter changed width (ifHCInOctets appeared or vanished): no rate;
 * - a 64-bit counter that went back was reset: no rate (wrapping 2^64 octets between two
 *   polls would take centuries at 400 Gbit/s);
 * - a 32-bit counter that went back wrapped once: the delta is taken across 2^32, unless
 *   that means more than the link can carry, in which case it was reset: no rate;
 * - a 32-bit counter on a link fast enough to pass 2^32 octets between the polls may have
 *   wrapped more than once, so any rate would be a guess: no rate (poll faster, or use the
 *   64-bit counters: a 1 Gbit/s link wraps 32 bits in 34 s).
 *
 * A counter that grew is taken as it is, even above the link's speed: virtual interfaces
 * (loopback, bridges, tunnels) report made-up speeds, and their traffic is real.
 *
 * Pure, with BigInt: 64-bit counters do not fit a double.
 */

import type { CounterValue } from './reading';

export interface CounterPoint {
  counter: CounterValue;
  /** When it was read, ms since the epoch. */
  atMs: number;
  /** sysUpTime.0 then, hundredths of a second; null when unknown. */
  uptime: number | null;
}

export type RateResult = { ok: true; bytesPerSecond: number } | { ok: false; reason: 'restarted' | 'width_changed' | 'reset' | 'ambiguous_wrap' | 'no_time' };

const WRAP_32 = 2n ** 32n;
/** Slack on the link speed: some agents count a little framing or a burst above line rate. */
const SPEED_SLACK = 1.05;

export function counterRate(before: CounterPoint, after: CounterPoint, speedBps: number | null): RateResult {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (!(seconds > 0)) return { ok: false, reason: 'no_time' };
  if (before.uptime !== null && after.uptime !== null && after.uptime < before.uptime) return { ok: false, reason: 'restarted' };
  if (before.counter.bits !== after.counter.bits) return { ok: false, reason: 'width_changed' };
  const previous = BigInt(before.counter.value);
  const current = BigInt(after.counter.value);
  let delta = current - previous;
  const wrapped = delta < 0n;
  if (wrapped) {
    if (after.counter.bits === 64) return { ok: false, reason: 'reset' };
    delta += WRAP_32;
  }
  const maxBytes = speedBps ? (speedBps / 8) * seconds : null;
  if (after.counter.bits === 32 && maxBytes !== null && maxBytes >= Number(WRAP_32)) return { ok: false, reason: 'ambiguous_wrap' };
  const bytesPerSecond = Number(delta) / seconds;
  // A wrap that would mean more than the link carries was a reset (a cleared counter sysUpTime did not show).
  if (wrapped && speedBps && bytesPerSecond * 8 > speedBps * SPEED_SLACK) return { ok: false, reason: 'reset' };
  return { ok: true, bytesPerSecond };
}
