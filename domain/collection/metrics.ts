/**
 * The metrics built-in collection stores (docs/alerts-collection.md#metrics): what each is,
 * its unit, and the metric set (the MIB a polling job names) that yields it. Threshold
 * rules and the samples API name metrics from this list, so a typo is an error at start.
 */

export const METRIC_SETS = ['if-mib', 'host-resources'] as const;
export type MetricSet = (typeof METRIC_SETS)[number];

export type MetricUnit = 'bool' | 'enum' | 'bit/s' | 'percent' | 'bytes';

export interface MetricDefinition {
  /** The metric set that yields it; null: every poll does. */
  set: MetricSet | null;
  unit: MetricUnit;
  /** What the instance of a sample is: '' when there is one per device. */
  instance: 'device' | 'interface' | 'filesystem';
  description: string;
}

export const METRICS = {
  'snmp.up': { set: null, unit: 'bool', instance: 'device', description: '1 when the agent answered the poll, 0 when it did not (no answer within the timeout)' },
  'if.oper_status': { set: 'if-mib', unit: 'enum', instance: 'interface', description: 'ifOperStatus: 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, 6 notPresent, 7 lowerLayerDown' },
  'if.down': { set: 'if-mib', unit: 'bool', instance: 'interface', description: '1 when the interface is administratively up but not operationally up; 0 otherwise (an interface shut on purpose is not down)' },
  'if.in.bps': { set: 'if-mib', unit: 'bit/s', instance: 'interface', description: 'Received bits per second between two polls (ifHCInOctets, else ifInOctets)' },
  'if.out.bps': { set: 'if-mib', unit: 'bit/s', instance: 'interface', description: 'Sent bits per second between two polls (ifHCOutOctets, else ifOutOctets)' },
  'if.in.utilization': { set: 'if-mib', unit: 'percent', instance: 'interface', description: 'if.in.bps as a share of the interface speed (ifHighSpeed, else ifSpeed); none when the speed is unknown' },
  'if.out.utilization': { set: 'if-mib', unit: 'percent', instance: 'interface', description: 'if.out.bps as a share of the interface speed' },
  'cpu.load': { set: 'host-resources', unit: 'percent', instance: 'device', description: 'hrProcessorLoad (the last minute) averaged over the processors' },
  'memory.used_percent': { set: 'host-resources', unit: 'percent', instance: 'device', description: "Physical memory in use: total less available (Net-SNMP's 'Available memory'), else used less buffers and cache" },
  'memory.used_bytes': { set: 'host-resources', unit: 'bytes', instance: 'device', description: 'Physical memory in use, as memory.used_percent counts it' },
  'disk.used_percent': { set: 'host-resources', unit: 'percent', instance: 'filesystem', description: 'hrStorageUsed / hrStorageSize of a fixed, network or removable disk, per mount point' },
  'disk.used_bytes': { set: 'host-resources', unit: 'bytes', instance: 'filesystem', description: 'hrStorageUsed × hrStorageAllocationUnits: what capacity forecasts extrapolate' },
  'disk.size_bytes': { set: 'host-resources', unit: 'bytes', instance: 'filesystem', description: 'hrStorageSize × hrStorageAllocationUnits' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: unknown): name is MetricName {
  return typeof name === 'string' && Object.hasOwn(METRICS, name);
}

/** One value of one metric of one instance (an interface, a mount point, '' for the device). */
export interface Sample {
  metric: MetricName;
  instance: string;
  value: number;
}

/** A value as a person reads it in a summary: `93.5%`, `1.2 Gbit/s`, `41.9 GiB`. */
export function formatValue(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'percent':
      return `${trim(value)}%`;
    case 'bit/s':
      return scaled(value, 1000, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s']);
    case 'bytes':
      return scaled(value, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
    default:
      return trim(value);
  }
}

function scaled(value: number, base: number, names: readonly string[]): string {
  let i = 0;
  let v = value;
  while (Math.abs(v) >= base && i < names.length - 1) {
    v /= base;
    i += 1;
  }
  return `${trim(v)} ${names[i]}`;
}

const trim = (value: number) => String(Math.round(value * 10) / 10);
