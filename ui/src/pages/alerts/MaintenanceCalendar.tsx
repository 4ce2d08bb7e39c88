import type { MaintenanceOccurrence } from '../../api';

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Monday 00:00, local time, of the week that holds `at`. */
export function weekStart(at: Date): Date {
  const day = new Date(at.getFullYear(), at.getMonth(), at.getDate());
  day.setDate(day.getDate() - ((day.getDay() + 6) % 7));
  return day;
}

/** The local midnights of the week's days, and the one after the last. */
export function weekDays(start: Date): Date[] {
  return Array.from({ length: 8 }, (_, i) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + i));
}

const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * A week of maintenance, a column per local day, each occurrence a block placed by its local
 * times (a day that has 23 or 25 hours is drawn as it is); an occurrence across midnight is
 * drawn in each day it covers.
 */
export function MaintenanceWeek({ start, occurrences, now = new Date() }: { start: Date; occurrences: MaintenanceOccurrence[]; now?: Date }) {
  const days = weekDays(start);
  return (
    <div className="mw-week" role="grid" aria-label="Maintenance this week" data-testid="maintenance-week">
      {days.slice(0, 7).map((day, i) => {
        const from = day.getTime();
        const to = days[i + 1]!.getTime();
        const inDay = occurrences.filter((o) => Date.parse(o.startsAt) < to && (o.endsAt === null || Date.parse(o.endsAt) > from));
        const today = now.getTime() >= from && now.getTime() < to;
        return (
          <div key={from} className={`mw-day${today ? ' mw-today' : ''}`} role="gridcell" data-testid="maintenance-day" data-day={i}>
            <div className="mw-day-head">
              {DAY_NAMES[i]} <span className="muted">{day.getDate()}</span>
            </div>
            <div className="mw-day-body">
              {inDay.map((o) => {
                const s = Math.max(from, Date.parse(o.startsAt));
                const e = Math.min(to, o.endsAt === null ? Infinity : Date.parse(o.endsAt));
                const top = ((s - from) / (to - from)) * 100;
                const height = Math.max(((e - s) / (to - from)) * 100, 2);
                return (
                  <div
                    key={`${o.window}-${o.startsAt}`}
                    className={`mw-block${o.recurring ? ' mw-recurring' : ''}`}
                    style={{ top: `${top}%`, height: `${height}%` }}
                    title={`${o.title}: ${new Date(o.startsAt).toLocaleString()} – ${o.endsAt ? new Date(o.endsAt).toLocaleString() : 'until ended'}`}
                    data-testid="calendar-occurrence"
                    data-window={o.window}
                  >
                    <span className="mw-block-title">{o.title}</span>
                    <span className="mw-block-time">
                      {time(new Date(s))}–{e === to ? '24:00' : time(new Date(e))}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}
