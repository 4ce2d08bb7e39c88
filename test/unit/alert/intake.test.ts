import type { AlertEvent } from '../../../domain/alert/alert';
import { type AlertRecord, applyEvents, type ApplyInput, eventRef, MAX_APPLIED } from '../../../domain/alert/intake';
import type { Suppression } from '../../../domain/alert/maintenance';
import { ADAPTERS } from '../../../domain/alert/sources';

const trigger = () => structuredClone(require('../../fixtures/alerts/events-trigger.json'));
const resolve = () => structuredClone(require('../../fixtures/alerts/events-resolve.json'));
const acknowledge = () => structuredClone(require('../../fixtures/alerts/events-acknowledge.json'));
const amFiring = () => structuredClone(require('../../fixtures/alerts/alertmanager-v4-firing.json'));

const NOT_SUPPRESSED: Suppression = { suppressed: false, by: [] };

function eventsOf(body: unknown, receivedAt = '2026-03-14T02:05:12.500Z', source: 'events' | 'alertmanager' = 'events'): AlertEvent[] {
  const result = ADAPTERS[source].parse(body, { receivedAt, sender: 'grafana' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.events;
}

/** Applies `events` as request `bodyId` on top of `latest`, and returns the result. */
function apply(events: AlertEvent[], latest: AlertRecord[] = [], extra: Partial<ApplyInput> = {}) {
  return applyEvents({
    bodyId: 'b1',
    events,
    latest: new Map(latest.map((r) => [r.fingerprint, r])),
    suppressionOf: () => NOT_SUPPRESSED,
    ...extra,
  });
}

const records = (result: ReturnType<typeof apply>) => [...result.writes.values()].map((w) => w.record);

describe('a first delivery', () => {
  test('a trigger opens alert #1 with the view of its message', () => {
    const result = apply(eventsOf(trigger()));
    const [write] = [...result.writes.values()];
    expect(write!.created).toBe(true);
    const record = write!.record;
    expect(record.id).toBe(`${record.fingerprint}#1`);
    expect(record).toMatchObject({ state: 'firing', count: 1, episode: 1, name: 'db latency', severity: 'major', nativeKey: 'payments-api/db-latency/prod', sender: 'grafana', ciId: null, applied: ['b1/0'] });
    expect(record.startsAt).toBe('2015-07-17T08:42:58.315Z');
    expect(result.outcomes).toEqual([{ index: 0, fingerprint: record.fingerprint, alertId: record.id, changed: true, kind: 'opened' }]);
  });

  test('trigger, trigger, resolve, trigger of one key in one request: two alerts, the first resolved', () => {
    const body = [trigger(), trigger(), resolve(), { ...trigger(), payload: { ...trigger().payload, timestamp: '2026-03-14T02:05:13.000+0000' } }];
    const result = apply(eventsOf(body));
    expect(result.outcomes.map((o) => o.kind)).toEqual(['opened', 'repeated', 'resolved', 'opened']);
    const [first, second] = records(result).sort((a, b) => a.episode - b.episode);
    expect(first).toMatchObject({ episode: 1, state: 'resolved', count: 2, resolvedAt: '2026-03-14T02:05:12.500Z', applied: ['b1/0', 'b1/1', 'b1/2'] });
    expect(second).toMatchObject({ episode: 2, state: 'firing', count: 1, applied: ['b1/3'] });
    expect(result.writes.get(first!.id)!.created).toBe(true);
    expect(result.writes.get(second!.id)!.created).toBe(true);
  });

  test('a repeat only counts: changed is false, the view follows the newest message', () => {
    const [opened] = records(apply(eventsOf(trigger())));
    const newer = trigger();
    newer.payload.severity = 'critical';
    const result = apply(eventsOf(newer, '2026-03-14T02:06:00.000Z'), [opened!]);
    expect(result.outcomes[0]).toMatchObject({ kind: 'repeated', changed: false, alertId: opened!.id });
    expect(records(result)[0]).toMatchObject({ count: 2, severity: 'critical', lastSeen: '2026-03-14T02:06:00.000Z', firstSeen: '2026-03-14T02:05:12.500Z' });
    expect(result.writes.get(opened!.id)!.created).toBe(false);
  });
});

describe('acknowledge and resolve by key', () => {
  const [opened] = records(apply(eventsOf(trigger())));

  test("the sender's acknowledge acknowledges the open alert, naming the sender", () => {
    const result = apply(eventsOf(acknowledge(), '2026-03-14T02:07:00.000Z'), [opened!]);
    expect(result.outcomes[0]).toMatchObject({ kind: 'acknowledged', changed: true });
    expect(records(result)[0]).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'source:events/grafana', at: '2026-03-14T02:07:00.000Z' } });
  });

  test('a resolve ends it at its time of receipt and keeps the labels of the trigger', () => {
    const result = apply(eventsOf(resolve(), '2026-03-14T02:08:00.000Z'), [opened!]);
    const [record] = records(result);
    expect(record).toMatchObject({ state: 'resolved', resolvedAt: '2026-03-14T02:08:00.000Z', endsAt: '2026-03-14T02:08:00.000Z', labels: opened!.labels });
    expect(record!.raw.pointer).toBe('');
  });

  test('acknowledge or resolve of a key never seen is ignored with the reason, and nothing is written', () => {
    const result = apply([...eventsOf(acknowledge()), ...eventsOf(resolve())]);
    expect(result.writes.size).toBe(0);
    expect(result.outcomes).toEqual([
      expect.objectContaining({ kind: 'ignored', alertId: null, reason: 'an acknowledgement for a key with no alert' }),
      expect.objectContaining({ kind: 'ignored', alertId: null, reason: 'a resolve for a fingerprint with no alert' }),
    ]);
  });

  test('acknowledging twice is ignored the second time', () => {
    const result = apply([...eventsOf(acknowledge()), ...eventsOf(acknowledge())], [opened!]);
    expect(result.outcomes.map((o) => o.kind)).toEqual(['acknowledged', 'ignored']);
  });
});

describe('suppression', () => {
  test('is asked with each alert’s labels and CI; a silenced trigger opens suppressed, the other firing', () => {
    const asked: unknown[] = [];
    const result = apply(eventsOf(amFiring(), undefined, 'alertmanager'), [], {
      suppressionOf: (alert) => {
        asked.push(alert);
        return alert.labels.team === 'dba' ? { suppressed: true, by: [{ kind: 'silence', id: 's1' }] } : NOT_SUPPRESSED;
      },
    });
    expect(asked).toEqual([expect.objectContaining({ status: 'firing', ciId: null, labels: expect.objectContaining({ team: 'unix' }) }), expect.objectContaining({ labels: expect.objectContaining({ team: 'dba' }) })]);
    const byTeam = Object.fromEntries(records(result).map((r) => [r.labels.team, r]));
    expect(byTeam.dba).toMatchObject({ state: 'suppressed', suppressedBy: [{ kind: 'silence', id: 's1' }] });
    expect(byTeam.unix).toMatchObject({ state: 'firing', suppressedBy: [] });
  });
});

describe('a retried request', () => {
  test('events already applied are skipped, the rest applied', () => {
    const body = [trigger(), trigger(), resolve()];
    const events = eventsOf(body);
    const partial = records(apply(events.slice(0, 2)));
    const result = apply(events, partial, { skip: new Set(partial.flatMap((r) => r.applied)) });
    expect(result.outcomes.map((o) => o.kind)).toEqual(['skipped', 'skipped', 'resolved']);
    expect(records(result)[0]).toMatchObject({ count: 2, state: 'resolved', applied: ['b1/0', 'b1/1', 'b1/2'] });
  });

  test('a record keeps the references of its latest events only', () => {
    const events = eventsOf(Array.from({ length: MAX_APPLIED + 5 }, trigger));
    const [record] = records(apply(events));
    expect(record!.applied).toHaveLength(MAX_APPLIED);
    expect(record!.applied.at(-1)).toBe(eventRef('b1', MAX_APPLIED + 4));
    expect(record!.count).toBe(MAX_APPLIED + 5);
  });
});

test('the latest records given are not changed', () => {
  const [opened] = records(apply(eventsOf(trigger())));
  const copy = structuredClone(opened);
  apply([...eventsOf(trigger()), ...eventsOf(resolve())], [opened!]);
  expect(opened).toEqual(copy);
});
