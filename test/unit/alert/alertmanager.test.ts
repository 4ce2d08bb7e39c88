import type { AlertEvent, NormalizedAlert } from '../../../domain/alert/alert';
import { alertFingerprint, labelsKey, payloadDigest } from '../../../domain/alert/fingerprint';
import { alertmanager, severityOf } from '../../../domain/alert/sources/alertmanager';
import type { FieldProblem, ParseResult } from '../../../domain/alert/sources/adapter';

// Both captured from a real Alertmanager (v0.31.1, webhook receiver with send_resolved) by an
// HTTP listener: the first notification of a group of two, and the next one after one resolved.
const firing = () => structuredClone(require('../../fixtures/alerts/alertmanager-v4-firing.json'));
const oneResolved = () => structuredClone(require('../../fixtures/alerts/alertmanager-v4-one-resolved.json'));

const context = { receivedAt: '2026-12-03T14:46:30.250Z', sender: 'alertmanager-prod' };

function accepted(result: ParseResult): Extract<ParseResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}

function alerts(result: ParseResult): NormalizedAlert[] {
  return accepted(result).events.map((event: AlertEvent) => {
    if (event.kind !== 'report') throw new Error(`unexpected ${event.kind}`);
    return event.alert;
  });
}

function errors(payload: unknown, limits = {}): FieldProblem[] {
  const result = alertmanager.parse(payload, { ...context, limits });
  if (result.ok) throw new Error('accepted');
  return result.errors;
}

describe('Alertmanager webhook v4: a real message', () => {
  const body = oneResolved();
  const result = accepted(alertmanager.parse(body, context));
  const [resolved, stillFiring] = alerts(result);

  test('one report per alert, in the order of the message', () => {
    expect(result.events.map((e) => e.kind)).toEqual(['report', 'report']);
    expect([resolved!.status, stillFiring!.status]).toEqual(['resolved', 'firing']);
    expect(result.notes).toEqual([]);
  });

  test('the resolved alert, field by field', () => {
    expect(resolved).toEqual({
      source: 'alertmanager',
      sender: 'alertmanager-prod',
      nativeKey: 'f51ed6b5bccc7228',
      nativeKeyFrom: 'source',
      fingerprint: alertFingerprint('alertmanager', 'alertmanager-prod', 'f51ed6b5bccc7228'),
      name: 'NodeFilesystemAlmostFull',
      severity: 'critical',
      nativeSeverity: 'critical',
      status: 'resolved',
      summary: 'Filesystem / on 10.20.30.41:9100 has 4.1% space left',
      description: 'Filesystem on /dev/sda1 at 10.20.30.41:9100 has only 4.1% available space left and is filling up.',
      labels: body.alerts[0].labels,
      annotations: body.alerts[0].annotations,
      resource: { ip: '10.20.30.41', instance: '10.20.30.41:9100', component: '/dev/sda1' },
      startsAt: '2026-12-03T14:36:18.000Z',
      endsAt: '2026-12-03T14:46:21.000Z',
      receivedAt: '2026-12-03T14:46:30.250Z',
      generatorURL: body.alerts[0].generatorURL,
      raw: { digest: payloadDigest(body), pointer: '/alerts/0' },
    });
  });

  test('endsAt "0001-01-01T00:00:00Z" (Go\'s zero time) means the firing alert has no end', () => {
    expect(body.alerts[1].endsAt).toBe('0001-01-01T00:00:00Z');
    expect(stillFiring!.endsAt).toBeNull();
  });

  test('the host comes from instance when no label names it', () => {
    expect(stillFiring!.resource).toEqual({ host: 'db-01.bank.example', instance: 'db-01.bank.example:9100', component: '/dev/mapper/vg0-data' });
  });

  test('the digest covers the whole body and is every event\'s raw digest', () => {
    expect(result.digest).toBe(payloadDigest(body));
    expect(stillFiring!.raw).toEqual({ digest: result.digest, pointer: '/alerts/1' });
  });

  test('an alert keeps its native key and fingerprint from one message to the next', () => {
    const earlier = alerts(alertmanager.parse(firing(), context));
    const byKey = (list: NormalizedAlert[]) => Object.fromEntries(list.map((a) => [a.nativeKey, a.fingerprint]));
    expect(byKey(earlier)).toEqual(byKey([resolved!, stillFiring!]));
  });
});

describe('keys', () => {
  test('without a fingerprint the native key is the one Alertmanager would compute from the labels', () => {
    const body = oneResolved();
    const given = body.alerts.map((a: { fingerprint: string }) => a.fingerprint);
    for (const alert of body.alerts) delete alert.fingerprint;
    const parsed = alerts(alertmanager.parse(body, context));
    expect(parsed.map((a) => a.nativeKey)).toEqual(given);
    expect(parsed.map((a) => a.nativeKeyFrom)).toEqual(['labels', 'labels']);
    expect(parsed[0]!.nativeKey).toBe(labelsKey(body.alerts[0].labels));
  });

  test('the sender is part of the fingerprint, not of the native key', () => {
    const [a] = alerts(alertmanager.parse(firing(), { ...context, sender: 'am-a' }));
    const [b] = alerts(alertmanager.parse(firing(), { ...context, sender: 'am-b' }));
    const [none] = alerts(alertmanager.parse(firing(), { receivedAt: context.receivedAt }));
    expect(a!.nativeKey).toBe(b!.nativeKey);
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
    expect(none!.sender).toBe('');
    expect(none!.fingerprint).toBe(alertFingerprint('alertmanager', '', a!.nativeKey));
  });

  test('a re-delivered message gives the same alerts and digest; only receivedAt differs', () => {
    const first = accepted(alertmanager.parse(oneResolved(), context));
    const again = accepted(alertmanager.parse(oneResolved(), { ...context, receivedAt: '2026-12-03T14:47:30Z' }));
    expect(again.digest).toBe(first.digest);
    const withoutReceipt = (r: typeof first) => alerts(r).map(({ receivedAt: _ignored, ...rest }) => rest);
    expect(withoutReceipt(again)).toEqual(withoutReceipt(first));
  });
});

describe('tolerance', () => {
  test('newer optional fields and unknown ones are accepted and ignored', () => {
    const body = oneResolved();
    const extended = {
      ...body,
      notification_reason: 'group_interval',
      routeLabels: { team: 'storage' },
      someFutureField: { nested: [1, 2] },
      alerts: body.alerts.map((a: object) => ({ ...a, silenceURL: 'http://am/#/silences/new', values: { A: 3.2 } })),
    };
    const strip = (list: NormalizedAlert[]) => list.map(({ raw: _raw, ...rest }) => rest);
    expect(strip(alerts(alertmanager.parse(extended, context)))).toEqual(strip(alerts(alertmanager.parse(body, context))));
  });

  test('groupLabels, commonLabels, commonAnnotations, externalURL and truncatedAlerts may be missing', () => {
    const body = firing();
    for (const key of ['groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'truncatedAlerts']) delete body[key];
    expect(alerts(alertmanager.parse(body, context))).toHaveLength(2);
  });

  test('an empty alerts list is accepted with no events', () => {
    expect(accepted(alertmanager.parse({ ...firing(), alerts: [] }, context)).events).toEqual([]);
  });

  test('truncated alerts are a note, not an error', () => {
    const result = accepted(alertmanager.parse({ ...firing(), truncatedAlerts: 7 }, context));
    expect(result.notes).toEqual(['Alertmanager left 7 alerts of this group out of the message (its max_alerts setting)']);
  });

  test('times with an offset and nanoseconds are read to the millisecond in UTC', () => {
    const body = firing();
    body.alerts[0].startsAt = '2026-03-01T10:15:00.123456789+02:00';
    body.alerts[0].endsAt = '2026-03-01T12:00:00.5-05:30';
    const [alert] = alerts(alertmanager.parse(body, context));
    expect(alert!.startsAt).toBe('2026-03-01T08:15:00.123Z');
    expect(alert!.endsAt).toBe('2026-03-01T17:30:00.500Z');
  });

  test('a resolved alert without endsAt (a hand-written sender) ended when it was received', () => {
    const body = oneResolved();
    body.alerts[0].endsAt = '0001-01-01T00:00:00Z';
    expect(alerts(alertmanager.parse(body, context))[0]!.endsAt).toBe(context.receivedAt);
    delete body.alerts[0].endsAt;
    expect(alerts(alertmanager.parse(body, context))[0]!.endsAt).toBe(context.receivedAt);
  });

  test('an alert without alertname is named by its summary, else by its key', () => {
    const body = firing();
    delete body.alerts[0].labels.alertname;
    delete body.alerts[1].labels.alertname;
    delete body.alerts[1].annotations.summary;
    const [a, b] = alerts(alertmanager.parse(body, context));
    expect(a!.name).toBe(body.alerts[0].annotations.summary);
    expect(b!.name).toBe(`alert ${b!.nativeKey}`);
  });

  test('summary falls back to message, description, then the name; only its first line is kept', () => {
    const body = firing();
    body.alerts[0].annotations = { message: '\n  Disk almost full\nmore detail' };
    body.alerts[1].annotations = {};
    const [a, b] = alerts(alertmanager.parse(body, context));
    expect(a!.summary).toBe('Disk almost full');
    expect(a!.description).toBeNull();
    expect(b!.summary).toBe('NodeFilesystemAlmostFull');
  });

  test('resource hints from host, ip, service and probe URLs', () => {
    const body = firing();
    body.alerts[0].labels = { alertname: 'ProbeFailed', instance: 'https://pay.bank.example/health', service: 'payments' };
    body.alerts[1].labels = { alertname: 'Down', host: 'db-01', ip: '2001:DB8::0:1', instance: '[2001:db8::1]:9100', app: 'core' };
    const [probe, db] = alerts(alertmanager.parse(body, context));
    expect(probe!.resource).toEqual({ host: 'pay.bank.example', instance: 'https://pay.bank.example/health', service: 'payments' });
    expect(db!.resource).toEqual({ host: 'db-01', ip: '2001:db8::1', instance: '[2001:db8::1]:9100', service: 'core' });
  });

  test('a host label and an IP instance give both; an ip label that is not an address is dropped', () => {
    const body = firing();
    body.alerts[0].labels = { alertname: 'Down', hostname: 'core-sw-1', instance: '10.1.1.1:161' };
    body.alerts[1].labels = { alertname: 'Down', host: '10.9.9.9', ip: 'n/a', instance: 'db-7.bank.example:9100' };
    const [sw, db] = alerts(alertmanager.parse(body, context));
    expect(sw!.resource).toEqual({ host: 'core-sw-1', ip: '10.1.1.1', instance: '10.1.1.1:161' });
    expect(db!.resource).toEqual({ host: 'db-7.bank.example', ip: '10.9.9.9', instance: 'db-7.bank.example:9100' });
  });
});

describe('times', () => {
  const startsAt = (value: unknown) => {
    const body = firing();
    body.alerts[0].startsAt = value;
    const result = alertmanager.parse(body, context);
    return result.ok ? reportStart(result.events[0]!) : null;
  };
  const reportStart = (event: AlertEvent) => (event.kind === 'report' ? event.alert.startsAt : null);

  test.each([
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['2026-03-01t10:15:00z', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01 10:15:00Z', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01T00:30:00+01:00', '2026-02-28T23:30:00.000Z'],
    ['2026-03-01T10:15:00.9+0000', '2026-03-01T10:15:00.900Z'],
    ['0001-01-01T00:00:01Z', '0001-01-01T00:00:01.000Z'],
    ['0099-06-01T00:00:00Z', '0099-06-01T00:00:00.000Z'],
  ])('%s is read as %s', (text, iso) => {
    expect(startsAt(text)).toBe(iso);
  });

  test.each(['2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-01T24:00:00Z', '2026-03-01T10:60:00Z', '2026-03-01T10:15:60Z', '2026-03-01T10:15:00+24:00', '2026-03-01', '1772360100', 'Sun, 01 Mar 2026 10:15:00 GMT', '+002026-03-01T10:15:00Z'])(
    '%s is refused',
    (text) => {
      expect(startsAt(text)).toBeNull();
    },
  );
});

describe('severity', () => {
  test.each([
    ['critical', 'critical'],
    ['Critical', 'critical'],
    ['page', 'critical'],
    ['P1', 'critical'],
    ['major', 'major'],
    ['high', 'major'],
    ['error', 'major'],
    ['minor', 'minor'],
    ['average', 'minor'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['none', 'info'],
    ['urgent-ish', 'warning'],
    [null, 'warning'],
    ['constructor', 'warning'],
  ])('severity label %j is %s', (label, severity) => {
    expect(severityOf(label)).toBe(severity);
  });

  test('the priority label counts when there is no severity label; the word is kept as nativeSeverity', () => {
    const body = firing();
    delete body.alerts[0].labels.severity;
    body.alerts[0].labels.priority = 'P2';
    delete body.alerts[1].labels.severity;
    const [a, b] = alerts(alertmanager.parse(body, context));
    expect([a!.severity, a!.nativeSeverity]).toEqual(['major', 'P2']);
    expect([b!.severity, b!.nativeSeverity]).toEqual(['warning', null]);
  });
});

describe('refused, naming each wrong field', () => {
  const withAlert = (change: (alert: Record<string, unknown>) => void) => {
    const body = firing();
    change(body.alerts[1]);
    return body;
  };

  test.each([
    ['no version', (b: any) => delete b.version, 'body.version', /is required: "4"/],
    ['version 3', (b: any) => (b.version = '3'), 'body.version', /only version 4 .* got "3"/],
    ['version as a number', (b: any) => (b.version = 4), 'body.version', /must be "4"/],
    ['no status', (b: any) => delete b.status, 'body.status', /is required: one of firing, resolved/],
    ['status pending', (b: any) => (b.status = 'pending'), 'body.status', /must be one of firing, resolved, got "pending"/],
    ['no receiver', (b: any) => delete b.receiver, 'body.receiver', /is required/],
    ['no groupKey', (b: any) => delete b.groupKey, 'body.groupKey', /is required/],
    ['blank groupKey', (b: any) => (b.groupKey = ' '), 'body.groupKey', /must not be empty/],
    ['externalURL a number', (b: any) => (b.externalURL = 9093), 'body.externalURL', /must be text, got 9093/],
    ['commonLabels a list', (b: any) => (b.commonLabels = []), 'body.commonLabels', /must be an object/],
    ['negative truncatedAlerts', (b: any) => (b.truncatedAlerts = -1), 'body.truncatedAlerts', /whole number of 0 or more/],
    ['no alerts', (b: any) => delete b.alerts, 'body.alerts', /is required: the list of alerts/],
    ['alerts an object', (b: any) => (b.alerts = {}), 'body.alerts', /must be a list of alerts/],
  ])('message with %s', (_what, change, field, message) => {
    const body = firing();
    change(body);
    expect(errors(body)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  test.each([
    ['not an object', 'body.alerts.1', /must be an alert object/],
    ['no status', 'body.alerts.1.status', /is required: one of firing, resolved/],
    ['no labels', 'body.alerts.1.labels', /is required: the labels that identify the alert/],
    ['empty labels', 'body.alerts.1.labels', /at least one label/],
    ['a number label value', 'body.alerts.1.labels.severity', /must be text, got 2/],
    ['a blank label name', 'body.alerts.1.labels', /blank label name/],
    ['annotations a string', 'body.alerts.1.annotations', /must be an object of annotation names/],
    ['no startsAt', 'body.alerts.1.startsAt', /is required: an RFC 3339 date-time/],
    ['the zero startsAt', 'body.alerts.1.startsAt', /zero time .* it is required/],
    ['a startsAt without time zone', 'body.alerts.1.startsAt', /with a time zone.*got "2026-03-01T10:15:00"/],
    ['30 February', 'body.alerts.1.startsAt', /RFC 3339/],
    ['an endsAt of yesterday', 'body.alerts.1.endsAt', /got "yesterday"/],
    ['endsAt before startsAt', 'body.alerts.1.endsAt', /is before startsAt \(2026-12-03T14:36:18.000Z\)/],
    ['a generatorURL object', 'body.alerts.1.generatorURL', /must be text/],
    ['a numeric fingerprint', 'body.alerts.1.fingerprint', /must be text, got 1234/],
  ])('alert with %s', (what, field, message) => {
    const change: Record<string, (a: Record<string, any>) => void> = {
      'not an object': () => undefined,
      'no status': (a) => delete a.status,
      'no labels': (a) => delete a.labels,
      'empty labels': (a) => (a.labels = {}),
      'a number label value': (a) => (a.labels.severity = 2),
      'a blank label name': (a) => (a.labels[' '] = 'x'),
      'annotations a string': (a) => (a.annotations = 'disk full'),
      'no startsAt': (a) => delete a.startsAt,
      'the zero startsAt': (a) => (a.startsAt = '0001-01-01T00:00:00Z'),
      'a startsAt without time zone': (a) => (a.startsAt = '2026-03-01T10:15:00'),
      '30 February': (a) => (a.startsAt = '2026-02-30T10:15:00Z'),
      'an endsAt of yesterday': (a) => (a.endsAt = 'yesterday'),
      'endsAt before startsAt': (a) => (a.endsAt = '2026-12-03T14:36:17Z'),
      'a generatorURL object': (a) => (a.generatorURL = { href: 'x' }),
      'a numeric fingerprint': (a) => (a.fingerprint = 1234),
    };
    const body = what === 'not an object' ? { ...firing(), alerts: [firing().alerts[0], 'disk full'] } : withAlert(change[what]!);
    expect(errors(body)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  test('a body that is not an object', () => {
    for (const body of [null, 'x', [firing()], 42]) expect(errors(body)).toEqual([{ field: 'body', message: expect.stringMatching(/Alertmanager webhook message/) }]);
  });

  test('every wrong field of every alert is named at once', () => {
    const body = firing();
    delete body.version;
    delete body.alerts[0].startsAt;
    body.alerts[1].status = 'unknown';
    body.alerts[1].labels.team = false;
    expect(errors(body).map((e) => e.field)).toEqual(['body.version', 'body.alerts.0.startsAt', 'body.alerts.1.status', 'body.alerts.1.labels.team']);
  });

  test('a huge broken batch lists the first 100 problems and counts the rest', () => {
    const alert = { status: 'firing', labels: {} }; // two problems each: no label, no startsAt
    const list = errors({ ...firing(), alerts: Array.from({ length: 150 }, () => alert) });
    expect(list).toHaveLength(101);
    expect(list[99]!.field).toBe('body.alerts.49.startsAt');
    expect(list[100]).toEqual({ field: 'body', message: 'and 200 more problems not listed' });
  });
});

describe('limits', () => {
  test('the default allows a large group; too many alerts are refused with the way out', () => {
    expect(alertmanager.limits.maxAlerts).toBe(10_000);
    expect(errors(firing(), { maxAlerts: 1 })).toEqual([{ field: 'body.alerts', message: 'holds 2 alerts; at most 1 are accepted in one message (set max_alerts on the webhook receiver)' }]);
  });

  test('too many labels', () => {
    const body = firing();
    body.alerts[0].labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    expect(errors(body)).toEqual([{ field: 'body.alerts.0.labels', message: 'has 65 labels; at most 64 are accepted' }]);
  });

  test('label and annotation sizes', () => {
    const body = firing();
    body.alerts[0].labels.path = 'x'.repeat(2049);
    body.alerts[0].labels['n'.repeat(257)] = 'v';
    body.alerts[1].annotations.description = 'y'.repeat(16_385);
    expect(errors(body)).toEqual([
      { field: 'body.alerts.0.labels.path', message: 'must be at most 2048 characters long, got 2049' },
      { field: 'body.alerts.0.labels', message: expect.stringMatching(/^has a label name of 257 characters .*; at most 256 are accepted$/) },
      { field: 'body.alerts.1.annotations.description', message: 'must be at most 16384 characters long, got 16385' },
    ]);
  });

  test('limits can be set per call', () => {
    const body = firing();
    expect(errors(body, { maxLabelValueLength: 10 })[0]).toEqual({ field: 'body.alerts.0.labels.alertname', message: 'must be at most 10 characters long, got 24' });
  });
});

test('a receipt time that is not a date-time is the caller\'s bug', () => {
  expect(() => alertmanager.parse(firing(), { receivedAt: 'now' })).toThrow(TypeError);
});
