/**
 * What one poll of one device read, before anything is derived from it: the IF-MIB and
 * HOST-RESOURCES-MIB columns a metric set walks, and `assembleReading`, which turns the
 * walked columns into rows. The zone worker walks and assembles; the core worker derives
 * (derive.ts), because rates need the previous poll's counters from the store.
 */

import type { MetricSet } from './metrics';

export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

/** IF-MIB columns (RFC 2863): ifTable and ifXTable. */
export const IF_COLUMNS = {
  descr: '1.3.6.1.2.1.2.2.1.2',
  speed: '1.3.6.1.2.1.2.2.1.5',
  adminStatus: '1.3.6.1.2.1.2.2.1.7',
  operStatus: '1.3.6.1.2.1.2.2.1.8',
  inOctets: '1.3.6.1.2.1.2.2.1.10',
  outOctets: '1.3.6.1.2.1.2.2.1.16',
  name: '1.3.6.1.2.1.31.1.1.1.1',
  hcInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  hcOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  highSpeed: '1.3.6.1.2.1.31.1.1.1.15',
} as const;

/** HOST-RESOURCES-MIB columns (RFC 2790): hrProcessorTable and hrStorageTable. */
export const HR_COLUMNS = {
  processorLoad: '1.3.6.1.2.1.25.3.3.1.2',
  storageType: '1.3.6.1.2.1.25.2.3.1.2',
  storageDescr: '1.3.6.1.2.1.25.2.3.1.3',
  allocationUnits: '1.3.6.1.2.1.25.2.3.1.4',
  size: '1.3.6.1.2.1.25.2.3.1.5',
  used: '1.3.6.1.2.1.25.2.3.1.6',
} as const;

/** hrStorageTypes (RFC 2790 §4.1) that count as disks, and the one that is RAM. */
const HR_STORAGE = '1.3.6.1.2.1.25.2.1';
const RAM_TYPE = `${HR_STORAGE}.2`;
const DISK_TYPES = new Set([`${HR_STORAGE}.4`, `${HR_STORAGE}.5`, `${HR_STORAGE}.9`, `${HR_STORAGE}.10`]);
const OTHER_TYPE = `${HR_STORAGE}.1`;
/** Net-SNMP reports these as hrStorageOther rows beside 'Physical memory' (Linux /proc/meminfo). */
const NET_SNMP_MEMORY_ROWS: Record<string, StorageKind> = { 'Memory buffers': 'buffers', 'Cached memory': 'cached', 'Available memory': 'available' };

/** The columns each metric set walks. */
export function columnsOf(sets: readonly MetricSet[]): string[] {
  const columns: string[] = [];
  if (sets.includes('if-mib')) columns.push(...Object.values(IF_COLUMNS));
  if (sets.includes('host-resources')) columns.push(...Object.values(HR_COLUMNS));
  return columns;
}

/** An octet counter as read: the decimal text of its value (64-bit ones exceed a double) and its width. */
export interface CounterValue {
  value: string;
  bits: 32 | 64;
}

export interface InterfaceRow {
  index: number;
  /** ifName, else ifDescr, else `if<index>`: the sample's instance. */
  name: string;
  adminStatus: number | null;
  operStatus: number | null;
  /** ifHighSpeed × 10^6 when it is given and not 0, else ifSpeed; null when neither is known. */
  speedBps: number | null;
  in: CounterValue | null;
  out: CounterValue | null;
}

export type StorageKind = 'ram' | 'disk' | 'buffers' | 'cached' | 'available';

export interface StorageRow {
  index: number;
  kind: StorageKind;
  descr: string;
  /** Bytes per allocation unit. */
  units: number;
  size: number;
  used: number;
}

export type PollStatus = 'ok' | 'unreachable' | 'failed';

export interface DeviceReading {
  /** When the agent answered (the zone worker's clock), ISO 8601: the samples' time. */
  at: string;
  status: PollStatus;
  /** Why the poll did not succeed (no answer, refused credential, a column that failed). */
  error?: string;
  /** sysUpTime.0 in hundredths of a second: a smaller one than last time means the agent restarted. */
  uptime: number | null;
  interfaces: InterfaceRow[];
  /** hrProcessorLoad of each processor, percent. */
  processors: number[];
  storage: StorageRow[];
}

/** A walked column: row index (the OID's part after the column) → value. */
export type Column = Map<string, unknown>;

/** The rows of the walked columns; a column that was not walked or has no row for an index leaves that field empty. */
export function assembleReading(at: string, uptime: unknown, columns: ReadonlyMap<string, Column>): DeviceReading {
  return {
    at,
    status: 'ok',
    uptime: integer(uptime),
    interfaces: interfacesOf(columns),
    processors: [...(columns.get(HR_COLUMNS.processorLoad)?.values() ?? [])].map(integer).filter((v): v is number => v !== null && v >= 0 && v <= 100),
    storage: storageOf(columns),
  };
}

function interfacesOf(columns: ReadonlyMap<string, Column>): InterfaceRow[] {
  const col = (oid: string) => columns.get(oid) ?? new Map<string, unknown>();
  const indexes = new Set([...col(IF_COLUMNS.descr).keys(), ...col(IF_COLUMNS.name).keys(), ...col(IF_COLUMNS.operStatus).keys()]);
  return [...indexes]
    .filter((index) => /^\d+$/.test(index))
    .sort((a, b) => Number(a) - Number(b))
    .map((index) => {
      const name = text(col(IF_COLUMNS.name).get(index)) || text(col(IF_COLUMNS.descr).get(index)) || `if${index}`;
      const highSpeed = integer(col(IF_COLUMNS.highSpeed).get(index));
      const speed = integer(col(IF_COLUMNS.speed).get(index));
      return {
        index: Number(index),
        name,
        adminStatus: integer(col(IF_COLUMNS.adminStatus).get(index)),
        operStatus: integer(col(IF_COLUMNS.operStatus).get(index)),
        // ifSpeed tops out at 4,294,967,295 bit/s; faster links say so in ifHighSpeed (Mbit/s).
        speedBps: highSpeed ? highSpeed * 1_000_000 : speed ? speed : null,
        in: counter(col(IF_COLUMNS.hcInOctets).get(index), 64) ?? counter(col(IF_COLUMNS.inOctets).get(index), 32),
        out: counter(col(IF_COLUMNS.hcOutOctets).get(index), 64) ?? counter(col(IF_COLUMNS.outOctets).get(index), 32),
      };
    });
}

function storageOf(columns: ReadonlyMap<string, Column>): StorageRow[] {
  const col = (oid: string) => columns.get(oid) ?? new Map<string, unknown>();
  const rows: StorageRow[] = [];
  for (const [index, type] of col(HR_COLUMNS.storageType)) {
    const descr = text(col(HR_COLUMNS.storageDescr).get(index));
    const kind = type === RAM_TYPE ? 'ram' : DISK_TYPES.has(String(type)) ? 'disk' : type === OTHER_TYPE ? NET_SNMP_MEMORY_ROWS[descr] : undefined;
    const units = integer(col(HR_COLUMNS.allocationUnits).get(index));
    const size = integer(col(HR_COLUMNS.size).get(index));
    const used = integer(col(HR_COLUMNS.used).get(index));
    if (!kind || !units || size === null || used === null || !/^\d+$/.test(index)) continue;
    rows.push({ index: Number(index), kind, descr, units, size, used });
  }
  return rows.sort((a, b) => a.index - b.index);
}

function integer(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function counter(value: unknown, bits: 32 | 64): CounterValue | null {
  const digits = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : typeof value === 'string' && /^\d+$/.test(value) ? value : null;
  return digits === null ? null : { value: digits, bits };
}
