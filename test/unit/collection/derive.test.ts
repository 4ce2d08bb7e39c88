import { deriveSamples } from '../../../domain/collection/derive';
import { assembleReading, type Column, columnsOf, HR_COLUMNS, IF_COLUMNS } from '../../../domain/collection/reading';

// Columns as a zone worker walks them from a Net-SNMP agent on Linux: row index → value.
const column = (rows: Record<string, unknown>): Column => new Map(Object.entries(rows));
const STORAGE = '1.3.6.1.2.1.25.2.1';

function linuxColumns(octets: { in: string; out: string }, loads = [10, 30]): Map<string, Column> {
  return new Map([
    [IF_COLUMNS.descr, column({ 1: 'lo', 2: 'Intel Corporation Ethernet', 3: 'wlan0' })],
    [IF_COLUMNS.name, column({ 1: 'lo', 2: 'eth0' })],
    [IF_COLUMNS.adminStatus, column({ 1: 1, 2: 1, 3: 2 })],
    [IF_COLUMNS.operStatus, column({ 1: 1, 2: 2, 3: 2 })],
    [IF_COLUMNS.speed, column({ 1: 10_000_000, 2: 4_294_967_295, 3: 0 })],
    [IF_COLUMNS.highSpeed, column({ 1: 0, 2: 10_000, 3: 0 })],
    [IF_COLUMNS.inOctets, column({ 1: 5, 2: 7, 3: 0 })],
    [IF_COLUMNS.outOctets, column({ 1: 5, 2: 7, 3: 0 })],
    [IF_COLUMNS.hcInOctets, column({ 2: octets.in })],
    [IF_COLUMNS.hcOutOctets, column({ 2: octets.out })],
    [HR_COLUMNS.processorLoad, column({ 196608: loads[0], 196609: loads[1] })],
    [HR_COLUMNS.storageType, column({ 1: `${STORAGE}.2`, 3: `${STORAGE}.3`, 6: `${STORAGE}.1`, 7: `${STORAGE}.1`, 11: `${STORAGE}.1`, 36: `${STORAGE}.4`, 38: `${STORAGE}.4` })],
    [HR_COLUMNS.storageDescr, column({ 1: 'Physical memory', 3: 'Virtual memory', 6: 'Memory buffers', 7: 'Cached memory', 11: 'Available memory', 36: '/', 38: '/sys/fs/cgroup' })],
    [HR_COLUMNS.allocationUnits, column({ 1: 1024, 3: 1024, 6: 1024, 7: 1024, 11: 1024, 36: 4096, 38: 4096 })],
    [HR_COLUMNS.size, column({ 1: 1_000_000, 3: 2_000_000, 6: 1_000_000, 7: 300_000, 11: 750_000, 36: 1000, 38: 0 })],
    [HR_COLUMNS.used, column({ 1: 600_000, 3: 900_000, 6: 50_000, 7: 300_000, 11: 0, 36: 930, 38: 0 })],
  ]);
}

test('the metric sets walk their MIB columns', () => {
  expect(columnsOf(['if-mib'])).toEqual(Object.values(IF_COLUMNS));
  expect(columnsOf(['host-resources', 'if-mib'])).toEqual([...Object.values(IF_COLUMNS), ...Object.values(HR_COLUMNS)]);
});

test('rows from columns: ifName before ifDescr, 64-bit counters before 32-bit, ifHighSpeed before ifSpeed; only RAM, disks and Net-SNMP memory rows kept', () => {
  const reading = assembleReading('2026-03-01T10:00:00.000Z', 123_456, linuxColumns({ in: '1000', out: '2000' }));
  expect(reading.uptime).toBe(123_456);
  expect(reading.interfaces).toEqual([
    { index: 1, name: 'lo', adminStatus: 1, operStatus: 1, speedBps: 10_000_000, in: { value: '5', bits: 32 }, out: { value: '5', bits: 32 } },
    { index: 2, name: 'eth0', adminStatus: 1, operStatus: 2, speedBps: 10_000_000_000, in: { value: '1000', bits: 64 }, out: { value: '2000', bits: 64 } },
    { index: 3, name: 'wlan0', adminStatus: 2, operStatus: 2, speedBps: null, in: { value: '0', bits: 32 }, out: { value: '0', bits: 32 } },
  ]);
  expect(reading.processors).toEqual([10, 30]);
  expect(reading.storage.map((s) => [s.index, s.kind])).toEqual([
    [1, 'ram'],
    [6, 'buffers'],
    [7, 'cached'],
    [11, 'available'],
    [36, 'disk'],
    [38, 'disk'],
  ]);
});

test('samples of one poll: status and down per interface (admin down is not down), CPU average, memory from MemAvailable, disks per mount point', () => {
  const { samples, snapshot } = deriveSamples(assembleReading('2026-03-01T10:00:00.000Z', 100, linuxColumns({ in: '1000', out: '2000' })), null);
  const by = (metric: string) => Object.fromEntries(samples.filter((s) => s.metric === metric).map((s) => [s.instance, s.value]));
  expect(by('snmp.up')).toEqual({ '': 1 });
  expect(by('if.oper_status')).toEqual({ lo: 1, eth0: 2, wlan0: 2 });
  expect(by('if.down')).toEqual({ lo: 0, eth0: 1, wlan0: 0 });
  // No previous poll: no rates yet.
  expect(by('if.in.bps')).toEqual({});
  expect(by('cpu.load')).toEqual({ '': 20 });
  // Total less available: 1,000,000 − 750,000 KiB.
  expect(by('memory.used_percent')).toEqual({ '': 25 });
  expect(by('memory.used_bytes')).toEqual({ '': 250_000 * 1024 });
  // A filesystem of size 0 (cgroup) says nothing.
  expect(by('disk.used_percent')).toEqual({ '/': 93 });
  expect(by('disk.used_bytes')).toEqual({ '/': 930 * 4096 });
  expect(by('disk.size_bytes')).toEqual({ '/': 1000 * 4096 });
  expect(snapshot).toEqual({ atMs: Date.parse('2026-03-01T10:00:00.000Z'), uptime: 100, interfaces: { 1: { in: { value: '5', bits: 32 }, out: { value: '5', bits: 32 } }, 2: { in: { value: '1000', bits: 64 }, out: { value: '2000', bits: 64 } }, 3: { in: { value: '0', bits: 32 }, out: { value: '0', bits: 32 } } } });
});

test('the next poll gives rates in bit/s and utilisation of the speed; an interface without a speed has no utilisation', () => {
  const first = deriveSamples(assembleReading('2026-03-01T10:00:00.000Z', 100, linuxColumns({ in: '1000', out: '2000' })), null);
  // 60 s later: eth0 received 75,000,000 octets (10 Mbit/s of its 10 Gbit/s) and sent 750,000.
  const second = deriveSamples(assembleReading('2026-03-01T10:01:00.000Z', 6100, linuxColumns({ in: '75001000', out: '752000' })), first.snapshot);
  const by = (metric: string) => Object.fromEntries(second.samples.filter((s) => s.metric === metric).map((s) => [s.instance, s.value]));
  expect(by('if.in.bps')).toEqual({ lo: 0, eth0: 10_000_000, wlan0: 0 });
  expect(by('if.out.bps')).toEqual({ lo: 0, eth0: 100_000, wlan0: 0 });
  expect(by('if.in.utilization')).toEqual({ lo: 0, eth0: 0.1 });
  expect(by('if.out.utilization')).toEqual({ lo: 0, eth0: 0 });
});

test('after a restart of the agent the next poll gives no rates, the one after does again', () => {
  const first = deriveSamples(assembleReading('2026-03-01T10:00:00.000Z', 900_000, linuxColumns({ in: '5000000', out: '5000000' })), null);
  const restarted = deriveSamples(assembleReading('2026-03-01T10:01:00.000Z', 500, linuxColumns({ in: '100', out: '100' })), first.snapshot);
  expect(restarted.samples.filter((s) => s.metric.endsWith('.bps'))).toEqual([]);
  const after = deriveSamples(assembleReading('2026-03-01T10:02:00.000Z', 6500, linuxColumns({ in: '600100', out: '100' })), restarted.snapshot);
  expect(after.samples.find((s) => s.metric === 'if.in.bps' && s.instance === 'eth0')?.value).toBe(80_000);
});

test('memory without MemAvailable: used less buffers and page cache', () => {
  const columns = linuxColumns({ in: '0', out: '0' });
  columns.set(HR_COLUMNS.storageType, column({ 1: `${STORAGE}.2`, 6: `${STORAGE}.1`, 7: `${STORAGE}.1` }));
  const { samples } = deriveSamples(assembleReading('2026-03-01T10:00:00.000Z', 1, columns), null);
  // 600,000 − 50,000 − 300,000 of 1,000,000 KiB.
  expect(samples.find((s) => s.metric === 'memory.used_percent')?.value).toBe(25);
});

test('a device that does not answer: snmp.up 0 and nothing else; a poll that failed on our side: nothing; neither replaces the kept counters', () => {
  const empty = { at: '2026-03-01T10:00:00.000Z', uptime: null, interfaces: [], processors: [], storage: [] };
  expect(deriveSamples({ ...empty, status: 'unreachable', error: 'no answer' }, null)).toEqual({ samples: [{ metric: 'snmp.up', instance: '', value: 0 }], snapshot: null });
  expect(deriveSamples({ ...empty, status: 'failed', error: 'credential refused' }, null)).toEqual({ samples: [], snapshot: null });
});
