/**
 * The maintenance calendar: each window's occurrences within a span of time (a week on the
 * console), a one-off window being one occurrence and a recurring one one per weekly window
 * (silence.ts `windowAt`, so DST, windows past midnight and touching windows read as they do
 * for suppression). Occurrences are whole: one that began before the span or ends after it is
 * given with its real bounds, and the view clips it.
 */

import type { MaintenanceWindow } from './maintenance';
import { type Instant, type Timeframe, toMs, windowAt } from './silence';

export interface Occurrence {
  startsAt: string;
  /** null: it does not end (an open-ended window running continuously). */
  endsAt: string | null;
}

export interface CalendarEntry extends Occurrence {
  window: string;
  title: string;
  recurring: boolean;
}

/** Enough for a month of daily windows on many windows; a longer list is cut. */
export const MAX_OCCURRENCES = 1000;

const iso = (ms: number) => new Date(ms).toISOString();

/** The timeframe's occurrences that overlap [from, to), in time order. */
export function occurrencesBetween(tf: Timeframe, from: Instant, to: Instant, max = MAX_OCCURRENCES): Occurrence[] {
  const end = toMs(to);
  const found: Occurrence[] = [];
  let cursor = toMs(from);
  while (cursor < end && found.length < max) {
    const window = windowAt(tf, cursor);
    if (!window || window[0] >= end) break;
    // A window ended before it began (ended early while pending) never happened.
    if (window[1] <= window[0]) break;
    found.push({ startsAt: iso(window[0]), endsAt: window[1] === Infinity ? null : iso(window[1]) });
    // windowAt gives a continuous window whole, so the next one starts after its end.
    cursor = window[1];
  }
  return found;
}

/** Every window's occurrences in [from, to), by start, then title. */
export function maintenanceCalendar(windows: readonly MaintenanceWindow[], from: Instant, to: Instant, max = MAX_OCCURRENCES): { entries: CalendarEntry[]; truncated: boolean } {
  const entries = windows.flatMap((w) => occurrencesBetween(w, from, to, max + 1).map((o) => ({ ...o, window: w.id, title: w.title, recurring: w.recurrence !== undefined })));
  entries.sort((a, b) => (a.startsAt === b.startsAt ? a.title.localeCompare(b.title) : a.startsAt < b.startsAt ? -1 : 1));
  return { entries: entries.slice(0, max), truncated: entries.length > max };
}
