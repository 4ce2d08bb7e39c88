/**
 * Samples from one device reading (docs/alerts-collection.md#metrics): interface status,
 * rates and utilisation, CPU load, memory and disk use. Rates need the counters of the
 * previous poll, so the reading's counters come back as the snapshot to keep for the next.
 * Pure.
 */

import { counterRate } from './counters';
import type { Sample } from './metrics';
import type { CounterValue, DeviceReading, InterfaceRow, StorageRow } from './reading';

/** The octet counters of one poll, by ifIndex: what the next poll's rates are taken against. */
export interface CounterSnapshot {
  atMs: number;
  uptime: number | null;
  interfaces: Record<string, { in: CounterValue | null; out: CounterValue | null }>;
}

/** ifOperStatus up, ifAdminStatus up (RFC 2863). */
const UP = 1;

/**
 * The samples of a reading, and the counters to keep (null: keep the ones kept before). A
 * device that did not answer gives `snmp.up` 0 and nothing else; a poll that failed for
 * another reason (a refused credential, no zone worker) gives nothing: the device may be
 * fine, and a threshold on `snmp.up` must not fire for our own mistake.
 */
export function deriveSamples(reading: DeviceReading, previous: CounterSnapshot | null): { samples: Sample[]; snapshot: CounterSnapshot | null } {
  if (reading.status === 'unreachable') return { samples: [{ metric: 'snmp.up', instance: '', value: 0 }], snapshot: null };
  if (reading.status === 'failed') return { samples: [], snapshot: null };
  const snapshot = snapshotOf(reading);
  const samples: Sample[] = [{ metric: 'snmp.up', instance: '', value: 1 }];
  for (const row of reading.interfaces) samples.push(...interfaceSamples(row, snapshot, previous));
  if (reading.processors.length) samples.push({ metric: 'cpu.load', instance: '', value: round(average(reading.processors)) });
  samples.push(...memorySamples(reading.storage), ...diskSamples(reading.storage));
  return { samples, snapshot };
}

function snapshotOf(reading: DeviceReading): CounterSnapshot {
  const interfaces: CounterSnapshot['interfaces'] = {};
  for (const row of reading.interfaces) if (row.in || row.out) interfaces[row.index] = { in: row.in, out: row.out };
  return { atMs: Date.parse(reading.at), uptime: reading.uptime, interfaces };
}

function interfaceSamples(row: InterfaceRow, now: CounterSnapshot, previous: CounterSnapshot | null): Sample[] {
  const instance = row.name;
  const samples: Sample[] = [];
  if (row.operStatus !== null) {
    samples.push({ metric: 'if.oper_status', instance, value: row.operStatus });
    // An interface shut on purpose (admin down) is not a fault; unknown admin status counts as up.
    samples.push({ metric: 'if.down', instance, value: row.adminStatus !== null && row.adminStatus !== UP ? 0 : row.operStatus === UP ? 0 : 1 });
  }
  const before = previous?.interfaces[row.index];
  for (const direction of ['in', 'out'] as const) {
    const counter = row[direction];
    const earlier = before?.[direction];
    if (!counter || !earlier || !previous) continue;
    const rate = counterRate({ counter: earlier, atMs: previous.atMs, uptime: previous.uptime }, { counter, atMs: now.atMs, uptime: now.uptime }, row.speedBps);
    if (!rate.ok) continue;
    const bps = rate.bytesPerSecond * 8;
    samples.push({ metric: `if.${direction}.bps`, instance, value: round(bps) });
    if (row.speedBps) samples.push({ metric: `if.${direction}.utilization`, instance, value: round((bps / row.speedBps) * 100) });
  }
  return samples;
}

/** Linux memory in use: total less MemAvailable when the agent says it, else used less buffers and page cache. */
function memorySamples(storage: readonly StorageRow[]): Sample[] {
  const ram = storage.find((s) => s.kind === 'ram');
  if (!ram || ram.size <= 0) return [];
  const bytes = (row: StorageRow | undefined, field: 'size' | 'used') => (row ? row[field] * row.units : 0);
  const total = bytes(ram, 'size');
  const available = storage.find((s) => s.kind === 'available');
  const used = available ? total - bytes(available, 'size') : bytes(ram, 'used') - bytes(storage.find((s) => s.kind === 'buffers'), 'used') - bytes(storage.find((s) => s.kind === 'cached'), 'used');
  const clamped = Math.min(Math.max(used, 0), total);
  return [
    { metric: 'memory.used_percent', instance: '', value: round((clamped / total) * 100) },
    { metric: 'memory.used_bytes', instance: '', value: clamped },
  ];
}

/** Per mount point; a filesystem of size 0 (cgroup, proc-like mounts) says nothing. */
function diskSamples(storage: readonly StorageRow[]): Sample[] {
  return storage
    .filter((s) => s.kind === 'disk' && s.size > 0)
    .flatMap((s) => [
      { metric: 'disk.used_percent' as const, instance: s.descr, value: round((s.used / s.size) * 100) },
      { metric: 'disk.used_bytes' as const, instance: s.descr, value: s.used * s.units },
      { metric: 'disk.size_bytes' as const, instance: s.descr, value: s.size * s.units },
    ]);
}

const average = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
/** Two decimals: enough for percentages and rates, and stable when stored and compared. */
const round = (value: number) => Math.round(value * 100) / 100;
