import type { HoldReason, Level, ListedKind, Priority, SlaDisplay, TicketState } from './api';
import { PERMISSIONS } from '../../domain/identity/permissions';

export const LEVEL_LABELS: Record<Level, string> = { 1: 'High', 2: 'Medium', 3: 'Low' };
export const LEVELS: Level[] = [1, 2, 3];

export const STATE_LABELS: Record<TicketState, string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  known_error: 'Known error',
  pending_approval: 'Awaiting approval',
  in_fulfilment: 'In fulfilment',
  fulfilled: 'Fulfilled',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

export const KIND_LABELS: Record<ListedKind, string> = { incident: 'Incident', request: 'Request', problem: 'Problem' };

export const HOLD_REASON_LABELS: Record<HoldReason, string> = {
  awaiting_caller: 'Awaiting caller',
  change: 'Awaiting change',
  problem: 'Awaiting problem',
  vendor: 'Awaiting vendor',
};

export const SLA_STATUS_LABELS: Record<SlaDisplay['status'], string> = {
  on_track: 'On track',
  warning: 'Warning',
  breached: 'Breached',
  paused: 'Paused',
  completed: 'Met',
  cancelled: 'Cancelled',
};

/** A span of (business) time, e.g. "3d 4h", "2h 05m", "12m"; negative spans are overdue: "-45m". */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${sign}${days}d ${hours}h`;
  if (hours > 0) return `${sign}${hours}h ${String(mins).padStart(2, '0')}m`;
  return `${sign}${mins}m`;
}

export const PRIORITY_LABELS: Record<Priority, string> = {
  P1: 'Critical',
  P2: 'High',
  P3: 'Moderate',
  P4: 'Low',
  P5: 'Planning',
};

/** The same impact × urgency matrix the server applies. */
export { priorityOf } from '../../domain/priority';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Number.isNaN(seconds)) return iso;
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 7],
    ['week', 4.35],
    ['month', 12],
    ['year', Infinity],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' && Math.abs(value) < 45 ? 'just now' : relative.format(Math.round(value), unit);
    value /= size;
  }
  return formatDateTime(iso);
}

/** What each permission allows: the domain's own descriptions, which GET /roles also returns. */
export const PERMISSION_LABELS: Readonly<Record<string, string>> = PERMISSIONS;

export function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0]![0]! + parts[parts.length - 1]![0]! : (parts[0] ?? '?').slice(0, 1);
  return letters.toUpperCase();
}

export function roleLabel(role: string): string {
  const text = role.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A `datetime-local` value (local time) as an ISO instant, or '' when empty or invalid. */
export function localToIso(value: string): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** An ISO instant as a `datetime-local` value in local time. */
export function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Resolution codes offered (free text is accepted too). */
export const RESOLUTION_CODES = ['Solved (permanently)', 'Solved (workaround)', 'Not reproducible', 'Duplicate', 'Cancelled by caller'];
