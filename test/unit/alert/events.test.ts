import type { AlertEvent, NormalizedAlert } from '../../../domain/alert/alert';
import { alertFingerprint, payloadDigest } from '../../../domain/alert/fingerprint';
import type { FieldProblem, ParseResult } from '../../../domain/alert/sources/adapter';
import { events } from '../../../domain/alert/sources/events';

// PagerDuty Events API v2 bodies: a trigger with a dedup_key (fields as in PagerDuty's own
// example, including its `+0000` timestamp), its acknowledge and resolve, and a trigger without key.
const trigger = () => structuredClone(require('../../fixtures/alerts/events-trigger.json'));
const acknowledge = () => structuredClone(require('../../fixtures/alerts/events-acknowledge.json'));
const resolve = () => structuredClone(require('../../fixtures/alerts/events-resolve.json'));
const keyless = () => structuredClone(require('../../fixtures/alerts/events-trigger-without-key.json'));

const context = { receivedAt: '2026-03-14T02:05:12.500Z', sender: 'grafana' };

function accepted(result: ParseResult): Extract<ParseResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}

function reportOf(event: AlertEvent | undefined): NormalizedAlert {
  if (event?.kind !== 'report') throw new Error(`expected a report, got ${event?.kind}`);
  return event.alert;
}

const parsed = (payload: unknown, ctx = context) => accepted(events.parse(payload, ctx)).events;
const alertOf = (payload: unknown, ctx = context) => reportOf(parsed(payload, ctx)[0]);

function errors(payload: unknown, limits = {}): FieldProblem[] {
  const result = events.parse(payload, { ...context, limits });
  if (result.ok) throw new Error('accepted');
  return result.errors;
}

describe('trigger', () => {
  const body = trigger();
  const alert = alertOf(body);

  test('field by field', () => {
    expect(alert).toEqual({
      source: 'events',
      sender: 'grafana',
      nativeKey: 'payments-api/db-latency/prod',
      nativeKeyFrom: 'source',
      fingerprint: alertFingerprint('events', 'grafana', 'payments-api/db-latency/prod'),
      name: 'db latency',
      severity: 'major',
      nativeSeverity: 'error',
      status: 'firing',
      summary: 'p99 latency of payments-api to its database above 800 ms for 10m',
      description: null,
      labels: { alertname: 'db latency', class: 'db latency', component: 'postgres', group: 'payments', source: 'pay-db-01.bank.example' },
      annotations: {
        client: 'Grafana',
        client_url: 'https://grafana.bank.example',
        'p99 ms': '1432',
        region: 'dc1',
        replicas: '["pay-db-02","pay-db-03"]',
        'threshold ms': '800',
      },
      resource: { host: 'pay-db-01.bank.example', service: 'payments', component: 'postgres' },
      startsAt: '2015-07-17T08:42:58.315Z',
      endsAt: null,
      receivedAt: '2026-03-14T02:05:12.500Z',
      generatorURL: 'https://grafana.bank.example/d/payments?viewPanel=4',
      raw: { digest: payloadDigest(body), pointer: '' },
    });
  });

  test('the routing key is not copied into the alert: it is an integration credential', () => {
    expect(JSON.stringify(alert)).not.toContain(body.routing_key);
  });

  test('without timestamp it starts when received; without class it is named by its summary', () => {
    const plain = trigger();
    delete plain.payload.timestamp;
    delete plain.payload.class;
    const a = alertOf(plain);
    expect(a.startsAt).toBe(context.receivedAt);
    expect(a.name).toBe(plain.payload.summary);
    expect(a.labels.alertname).toBe(plain.payload.summary);
  });

  test('an IP as source is the resource IP', () => {
    const body = trigger();
    body.payload.source = '10.20.30.41';
    expect(alertOf(body).resource).toEqual({ ip: '10.20.30.41', service: 'payments', component: 'postgres' });
  });

  test('custom_details may be text; links and client_url give the way back, images are ignored', () => {
    const body = trigger();
    body.payload.custom_details = 'ping time 1500ms';
    body.links = [{ text: 'no href' }, { href: 'ftp://x' }, { href: 'https://second.example/' }];
    const a = alertOf(body);
    expect(a.annotations.details).toBe('ping time 1500ms');
    expect(a.generatorURL).toBe('https://second.example/');
    delete body.links;
    expect(alertOf(body).generatorURL).toBe('https://grafana.bank.example');
  });
});

describe('severity', () => {
  test.each([
    ['critical', 'critical'],
    ['error', 'major'],
    ['warning', 'warning'],
    ['info', 'info'],
  ])('%s is %s', (pagerDuty, severity) => {
    const body = trigger();
    body.payload.severity = pagerDuty;
    expect([alertOf(body).severity, alertOf(body).nativeSeverity]).toEqual([severity, pagerDuty]);
  });
});

describe('acknowledge and resolve', () => {
  const opened = alertOf(trigger());

  test('name the trigger\'s alert by its dedup_key, at the time they arrive', () => {
    const [ack, res] = parsed([acknowledge(), resolve()]);
    const key = { source: 'events', sender: 'grafana', nativeKey: opened.nativeKey, fingerprint: opened.fingerprint };
    expect(ack).toEqual({ kind: 'acknowledge', key, at: context.receivedAt, raw: { digest: expect.any(String), pointer: '/0' } });
    expect(res).toEqual({ kind: 'resolve', key, at: context.receivedAt, raw: { digest: expect.any(String), pointer: '/1' } });
  });

  test('a payload sent with them is ignored, as PagerDuty does', () => {
    const body = { ...resolve(), payload: { summary: 'ok now', severity: 'bogus' } };
    expect(parsed(body).map((e) => e.kind)).toEqual(['resolve']);
  });

  test.each(['acknowledge', 'resolve'])('%s without dedup_key is refused', (action) => {
    expect(errors({ event_action: action })).toEqual([{ field: 'body.dedup_key', message: `is required to ${action}: the dedup_key of the alert, as sent with its trigger or answered by FlowDesk` }]);
    expect(errors({ event_action: action, dedup_key: '  ' })).toEqual([{ field: 'body.dedup_key', message: expect.stringMatching(/^is required to/) }]);
  });

  test('trigger, resolve, trigger of one key stay in order: the store opens a second alert for the second trigger', () => {
    const batch = parsed([trigger(), resolve(), trigger()]);
    expect(batch.map((e) => e.kind)).toEqual(['report', 'resolve', 'report']);
    const fingerprints = batch.map((e) => (e.kind === 'report' ? e.alert.fingerprint : e.key.fingerprint));
    expect(new Set(fingerprints).size).toBe(1);
    expect(batch.map((e) => (e.kind === 'report' ? e.alert.raw.pointer : e.raw.pointer))).toEqual(['/0', '/1', '/2']);
  });
});

describe('a trigger without dedup_key', () => {
  const body = keyless();
  const alert = alertOf(body);

  test('gets the SHA-256 of the event as its key, and says so', () => {
    expect(alert.nativeKey).toBe(payloadDigest(body));
    expect(alert.nativeKey).toMatch(/^[0-9a-f]{64}$/);
    expect(alert.nativeKeyFrom).toBe('payload');
    expect(alert.fingerprint).toBe(alertFingerprint('events', 'grafana', alert.nativeKey));
  });

  test('a re-delivery is the same alert: later, with keys in another order, or in a batch', () => {
    const reordered = { client: body.client, payload: Object.fromEntries(Object.entries(body.payload).reverse()), event_action: 'trigger' };
    expect(alertOf(reordered, { ...context, receivedAt: '2026-03-14T02:10:00Z' }).nativeKey).toBe(alert.nativeKey);
    expect(reportOf(parsed([trigger(), keyless()])[1]).nativeKey).toBe(alert.nativeKey);
  });

  test('a trigger that differs in anything is a new alert', () => {
    const later = keyless();
    later.payload.timestamp = '2026-03-15T02:05:11Z';
    const other = keyless();
    other.payload.custom_details.exit_code = 3;
    expect(alertOf(later).nativeKey).not.toBe(alert.nativeKey);
    expect(alertOf(other).nativeKey).not.toBe(alert.nativeKey);
  });

  test('a blank dedup_key counts as none', () => {
    expect(alertOf({ ...keyless(), dedup_key: '' }).nativeKeyFrom).toBe('payload');
  });
});

describe('tolerance', () => {
  test('unknown fields are accepted and ignored', () => {
    const plain = alertOf(trigger());
    const extra = alertOf({ ...trigger(), client_version: '11.2', payload: { ...trigger().payload, priority: 'P1' } });
    expect(extra.labels).toEqual(plain.labels);
    expect(extra.annotations).toEqual(plain.annotations);
  });

  test('routing_key is optional', () => {
    const body = trigger();
    delete body.routing_key;
    expect(alertOf(body).nativeKey).toBe('payments-api/db-latency/prod');
  });
});

describe('refused, naming each wrong field', () => {
  test.each([
    ['no event_action', (b: any) => delete b.event_action, 'body.event_action', /is required: one of trigger, acknowledge, resolve/],
    ['event_action alert', (b: any) => (b.event_action = 'alert'), 'body.event_action', /must be one of trigger, acknowledge, resolve, got "alert"/],
    ['no payload', (b: any) => delete b.payload, 'body.payload', /is required for a trigger: an object with summary, source and severity/],
    ['payload text', (b: any) => (b.payload = 'disk full'), 'body.payload', /must be an object/],
    ['no summary', (b: any) => delete b.payload.summary, 'body.payload.summary', /is required/],
    ['summary over 1024', (b: any) => (b.payload.summary = 's'.repeat(1025)), 'body.payload.summary', /at most 1024 characters long, got 1025/],
    ['no source', (b: any) => delete b.payload.source, 'body.payload.source', /is required/],
    ['no severity', (b: any) => delete b.payload.severity, 'body.payload.severity', /is required: one of critical, error, warning, info/],
    ['severity high', (b: any) => (b.payload.severity = 'high'), 'body.payload.severity', /got "high"/],
    ['timestamp without zone', (b: any) => (b.payload.timestamp = '2015-07-17T08:42:58.315'), 'body.payload.timestamp', /with a time zone/],
    ['timestamp as epoch', (b: any) => (b.payload.timestamp = 1437122578), 'body.payload.timestamp', /RFC 3339/],
    ['dedup_key over 255', (b: any) => (b.dedup_key = 'k'.repeat(256)), 'body.dedup_key', /at most 255 characters/],
    ['dedup_key a number', (b: any) => (b.dedup_key = 42), 'body.dedup_key', /must be text, got 42/],
    ['routing_key a number', (b: any) => (b.routing_key = 1), 'body.routing_key', /must be text/],
    ['component an object', (b: any) => (b.payload.component = {}), 'body.payload.component', /must be text/],
    ['custom_details a list', (b: any) => (b.payload.custom_details = [1]), 'body.payload.custom_details', /must be an object \(or text\)/],
  ])('%s', (_what, change, field, message) => {
    const body = trigger();
    change(body);
    expect(errors(body)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  test('an Events API v1 body gets a pointed message', () => {
    expect(errors({ service_key: 'abc', event_type: 'trigger', incident_key: 'k', description: 'x' })).toEqual([
      { field: 'body.event_action', message: expect.stringMatching(/looks like an Events API v1 event .* send v2 fields/) },
    ]);
  });

  test('in a list, paths start with the index; all wrong events are named', () => {
    const bad = trigger();
    bad.payload.severity = 'fatal';
    expect(errors([trigger(), bad, { event_action: 'resolve' }])).toEqual([
      { field: 'body.1.payload.severity', message: expect.any(String) },
      { field: 'body.2.dedup_key', message: expect.any(String) },
    ]);
  });

  test('bodies that are not events', () => {
    expect(errors('trigger')).toEqual([{ field: 'body', message: expect.stringMatching(/one event \(a JSON object\) or a list of them/) }]);
    expect(errors([])).toEqual([{ field: 'body', message: 'is an empty list: send at least one event' }]);
    expect(errors([trigger(), null])).toEqual([{ field: 'body.1', message: expect.stringMatching(/must be an event object/) }]);
  });
});

describe('limits', () => {
  test('events per request', () => {
    expect(events.limits.maxAlerts).toBe(1000);
    expect(errors([trigger(), resolve(), trigger()], { maxAlerts: 2 })).toEqual([{ field: 'body', message: 'holds 3 events; at most 2 are accepted in one request' }]);
  });

  test('custom details become annotations, within the annotation limits', () => {
    const body = trigger();
    body.payload.custom_details = Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`d${i}`, i]));
    expect(errors(body)).toEqual([{ field: 'body.payload.custom_details', message: 'has 65 annotations; at most 64 are accepted' }]);
    body.payload.custom_details = { trace: 'x'.repeat(16_385) };
    expect(errors(body)).toEqual([{ field: 'body.payload.custom_details.trace', message: 'must be at most 16384 characters long, got 16385' }]);
  });

  test('source, component, group and class become labels, within the label value limit', () => {
    const body = trigger();
    body.payload.group = 'g'.repeat(2049);
    expect(errors(body)).toEqual([{ field: 'body.payload.group', message: 'must be at most 2048 characters long, got 2049' }]);
  });
});
