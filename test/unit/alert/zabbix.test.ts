import type { AlertEvent, NormalizedAlert } from '../../../domain/alert/alert';
import { alertFingerprint, payloadDigest } from '../../../domain/alert/fingerprint';
import type { FieldProblem, ParseResult } from '../../../domain/alert/sources/adapter';
import { zabbix } from '../../../domain/alert/sources/zabbix';

// One problem's three messages, as the FlowDesk media type posts its parameters: the problem,
// an update that acknowledged it, and the recovery. The Zabbix server runs at UTC+8, so
// {EVENT.DATE} {EVENT.TIME} (09:12:44) are eight hours ahead of {EVENT.TIMESTAMP}.
const problem = () => structuredClone(require('../../fixtures/alerts/zabbix-problem.json'));
const update = () => structuredClone(require('../../fixtures/alerts/zabbix-update-ack.json'));
const recovery = () => structuredClone(require('../../fixtures/alerts/zabbix-recovery.json'));

const context = { receivedAt: '2026-03-14T01:12:46.100Z', sender: 'zabbix-dc1' };

function accepted(result: ParseResult): Extract<ParseResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}

function reportOf(event: AlertEvent | undefined): NormalizedAlert {
  if (event?.kind !== 'report') throw new Error(`expected a report, got ${event?.kind}`);
  return event.alert;
}

function single(payload: unknown, ctx = context): NormalizedAlert {
  const { events } = accepted(zabbix.parse(payload, ctx));
  expect(events).toHaveLength(1);
  return reportOf(events[0]);
}

function errors(payload: unknown, limits = {}): FieldProblem[] {
  const result = zabbix.parse(payload, { ...context, limits });
  if (result.ok) throw new Error('accepted');
  return result.errors;
}

describe('a problem', () => {
  const body = problem();
  const alert = single(body);

  test('field by field', () => {
    expect(alert).toEqual({
      source: 'zabbix',
      sender: 'zabbix-dc1',
      nativeKey: '4178263',
      nativeKeyFrom: 'source',
      fingerprint: alertFingerprint('zabbix', 'zabbix-dc1', '4178263'),
      name: '/data: Disk space is critically low (used > 90%)',
      severity: 'major',
      nativeSeverity: 'High (4)',
      status: 'firing',
      summary: '/data: Disk space is critically low (used > 90%) on DB-02 (core banking)',
      description: body.trigger_description,
      labels: {
        alertname: '/data: Disk space is critically low (used > 90%)',
        class: 'os',
        component: 'storage',
        filesystem: '/data',
        host: 'db-02.bank.example',
        scope: 'availability,capacity',
        service: 'core-banking',
        target: 'linux',
        trigger_id: '24519',
      },
      annotations: {
        alert_message: body.alert_message.trim(),
        alert_subject: body.alert_subject,
        event_ack_status: 'No',
        event_date: '2026.03.14',
        event_opdata: 'Space used: 92.4 GB of 100 GB (92.4 %)',
        event_time: '09:12:44',
        host_ip: '10.20.31.12',
        host_name: 'DB-02 (core banking)',
        trigger_description: body.trigger_description,
      },
      resource: { host: 'db-02.bank.example', ip: '10.20.31.12', service: 'core-banking', component: 'storage' },
      startsAt: '2026-03-14T01:12:44.000Z',
      endsAt: null,
      receivedAt: '2026-03-14T01:12:46.100Z',
      generatorURL: 'https://zabbix.bank.example/tr_events.php?triggerid=24519&eventid=4178263',
      raw: { digest: payloadDigest(body), pointer: '' },
    });
  });

  test('macros Zabbix left unresolved ({EVENT.RECOVERY.ID} in a problem message) count as not sent', () => {
    expect(body.event_recovery_id).toBe('{EVENT.RECOVERY.ID}');
    expect(Object.keys(alert.annotations).filter((name) => name.startsWith('event_recovery') || name.startsWith('event_update'))).toEqual([]);
  });

  test('startsAt is {EVENT.TIMESTAMP}, not the zone-less {EVENT.DATE} {EVENT.TIME}', () => {
    expect(alert.startsAt).toBe(new Date(Number(body.event_timestamp) * 1000).toISOString());
    expect(alert.annotations.event_time).toBe('09:12:44');
  });
});

describe('the recovery resolves the problem\'s alert', () => {
  const opened = single(problem());
  const closed = single(recovery());

  test('same native key and fingerprint: {EVENT.ID} is the problem\'s id in the recovery message', () => {
    expect(closed.nativeKey).toBe(opened.nativeKey);
    expect(closed.fingerprint).toBe(opened.fingerprint);
  });

  test('resolved at {EVENT.RECOVERY.TIMESTAMP}, started when the problem did; the recovery event id is kept', () => {
    expect(closed.status).toBe('resolved');
    expect(closed.startsAt).toBe(opened.startsAt);
    expect(closed.endsAt).toBe('2026-03-14T01:53:47.000Z');
    expect(closed.annotations.event_recovery_id).toBe('4178302');
    expect(closed.annotations.event_opdata).toBe('Space used: 71.0 GB of 100 GB (71.0 %)');
  });

  test('without a recovery timestamp it ended when the message arrived', () => {
    const body = recovery();
    delete body.event_recovery_timestamp;
    expect(single(body, { ...context, receivedAt: '2026-03-14T01:54:00Z' }).endsAt).toBe('2026-03-14T01:54:00.000Z');
  });

  test('a problem and its recovery in one list keep their order', () => {
    const result = accepted(zabbix.parse([problem(), recovery()], context));
    expect(result.events.map((e) => [reportOf(e).status, reportOf(e).raw.pointer])).toEqual([
      ['firing', '/0'],
      ['resolved', '/1'],
    ]);
  });
});

describe('updates', () => {
  test('an acknowledging update refreshes the alert, then acknowledges it at {EVENT.UPDATE.TIMESTAMP}', () => {
    const result = accepted(zabbix.parse(update(), context));
    const [report, ack] = result.events;
    expect(reportOf(report).status).toBe('firing');
    expect(reportOf(report).annotations.event_update_message).toBe('Cleaning old archive logs on /data');
    expect(ack).toEqual({
      kind: 'acknowledge',
      key: { source: 'zabbix', sender: 'zabbix-dc1', nativeKey: '4178263', fingerprint: alertFingerprint('zabbix', 'zabbix-dc1', '4178263') },
      at: '2026-03-14T01:18:56.000Z',
      raw: { digest: result.digest, pointer: '' },
    });
  });

  test('a comment without acknowledgement, or an unacknowledgement, is only a refresh', () => {
    const body = update();
    body.event_ack_status = 'No';
    body.event_update_action = 'unacknowledged';
    expect(accepted(zabbix.parse(body, context)).events.map((e) => e.kind)).toEqual(['report']);
  });

  test('a severity change shows in the refreshed alert', () => {
    const body = update();
    body.event_nseverity = '5';
    expect(reportOf(accepted(zabbix.parse(body, context)).events[0]).severity).toBe('critical');
  });

  test('the first message of a problem never acknowledges, even if it says Yes', () => {
    const body = problem();
    body.event_ack_status = 'Yes';
    expect(accepted(zabbix.parse(body, context)).events.map((e) => e.kind)).toEqual(['report']);
  });
});

describe('severity', () => {
  test.each([
    ['0', 'info', 'Not classified (0)'],
    ['1', 'info', 'Information (1)'],
    ['2', 'warning', 'Warning (2)'],
    ['3', 'minor', 'Average (3)'],
    ['4', 'major', 'High (4)'],
    ['5', 'critical', 'Disaster (5)'],
  ])('{EVENT.NSEVERITY} %s is %s', (level, severity, native) => {
    const alert = single({ ...problem(), event_nseverity: level });
    expect([alert.severity, alert.nativeSeverity]).toEqual([severity, native]);
  });
});

describe('tolerance', () => {
  test('unknown parameters are ignored (they stay in the raw body only)', () => {
    const plain = single(problem());
    const extra = single({ ...problem(), flowdesk_note: 'x', environment: 'prod', token: 'secret', nested: { a: [1] }, flag: true });
    expect(extra.annotations).toEqual(plain.annotations);
    expect(extra.labels).toEqual(plain.labels);
  });

  test('numbers for numeric parameters, and tags already parsed into a list', () => {
    const body = problem();
    body.event_id = 4178263;
    body.event_nseverity = 4;
    body.event_tags_json = JSON.parse(body.event_tags_json);
    const alert = single(body);
    expect(alert.nativeKey).toBe('4178263');
    expect(alert.labels.scope).toBe('availability,capacity');
  });

  test('no tags: an empty list, a blank or unresolved macro', () => {
    for (const tags of ['[]', '', '{EVENT.TAGSJSON}', undefined]) {
      const alert = single({ ...problem(), event_tags_json: tags });
      expect(alert.labels).toEqual({ alertname: alert.name, host: 'db-02.bank.example', trigger_id: '24519' });
    }
  });

  test('a tag without value is a label with an empty value; a tag called host wins over the host name', () => {
    const tags = JSON.stringify([{ tag: 'critical-path' }, { tag: 'host', value: 'db-02-vip' }]);
    const alert = single({ ...problem(), event_tags_json: tags });
    expect(alert.labels['critical-path']).toBe('');
    expect(alert.labels.host).toBe('db-02-vip');
    expect(alert.resource.host).toBe('db-02.bank.example');
  });

  test('only the visible host name: it names the host; UNKNOWN for the IP means none', () => {
    const body = problem();
    delete body.host_host;
    body.host_ip = 'UNKNOWN';
    const alert = single(body);
    expect(alert.resource).toEqual({ host: 'DB-02 (core banking)', service: 'core-banking', component: 'storage' });
    expect(alert.labels.host).toBe('DB-02 (core banking)');
  });

  test('without event_timestamp the alert starts when the message arrived, and a note says so', () => {
    const body = problem();
    delete body.event_timestamp;
    const result = accepted(zabbix.parse(body, context));
    expect(reportOf(result.events[0]).startsAt).toBe(context.receivedAt);
    expect(result.notes).toEqual([expect.stringMatching(/^body: event_timestamp is missing/)]);
  });

  test('internal (3) and service (4) events are alerts too, without a trigger link', () => {
    for (const source of ['3', '4']) {
      const alert = single({ ...problem(), event_source: source });
      expect(alert.generatorURL).toBeNull();
      expect(alert.status).toBe('firing');
    }
  });

  test('no event_source means a trigger event', () => {
    const body = problem();
    delete body.event_source;
    expect(single(body).generatorURL).toMatch(/tr_events\.php/);
  });

  test('two Zabbix servers with the same event id are two alerts', () => {
    const dc1 = single(problem(), { ...context, sender: 'zabbix-dc1' });
    const dc2 = single(problem(), { ...context, sender: 'zabbix-dc2' });
    expect(dc1.nativeKey).toBe(dc2.nativeKey);
    expect(dc1.fingerprint).not.toBe(dc2.fingerprint);
  });
});

describe('refused, naming each wrong field', () => {
  test.each([
    ['event_id', undefined, /is required: \{EVENT.ID\}/],
    ['event_id', '0', /positive whole number/],
    ['event_id', 'abc', /positive whole number .* got "abc"/],
    ['event_id', '{EVENT.ID}', /is required/],
    ['event_value', undefined, /is required: \{EVENT.VALUE\}, 1 for a problem and 0 for its recovery/],
    ['event_value', '2', /must be 0 or 1, got "2"/],
    ['event_update_status', 'yes', /must be 0 or 1/],
    ['event_ack_status', 'maybe', /must be Yes or No/],
    ['event_nseverity', undefined, /is required: \{EVENT.NSEVERITY\}, 0 Not classified/],
    ['event_nseverity', '6', /must be 0-5, got "6"/],
    ['event_name', undefined, /is required: \{EVENT.NAME\}/],
    ['event_name', '   ', /is required/],
    ['event_source', '1', /is 1 \(discovery\): such events are not alerts/],
    ['event_source', '2', /is 2 \(autoregistration\)/],
    ['event_source', '7', /must be \{EVENT.SOURCE\}: 0 \(trigger\), 3 \(internal\) or 4 \(service\)/],
    ['event_timestamp', '2026-03-14 09:12:44', /Unix time in seconds/],
    ['event_recovery_timestamp', '-5', /Unix time in seconds/],
    ['trigger_id', 'T-1', /positive whole number/],
    ['event_tags_json', '[{"tag":"a"', /this is not JSON/],
    ['event_tags_json', '{"tag":"a"}', /must be a JSON list/],
    ['event_tags_json', '[{"name":"a"}]', /tag 0 must be \{"tag": "<name>", "value": "<text>"\}/],
    ['event_tags_json', '[{"tag":"a","value":3}]', /tag 0 must be/],
    ['host_name', { first: 'db' }, /must be text, as Zabbix sends every parameter/],
    ['event_opdata', true, /must be text/],
  ])('%s = %j', (name, value, message) => {
    const body = problem();
    if (value === undefined) delete body[name];
    else body[name] = value;
    expect(errors(body)).toEqual([{ field: `body.${name}`, message: expect.stringMatching(message) }]);
  });

  test('in a list, paths name the item', () => {
    const bad = recovery();
    delete bad.event_value;
    expect(errors([problem(), bad])).toEqual([{ field: 'body.1.event_value', message: expect.any(String) }]);
  });

  test('bodies that are not parameters', () => {
    expect(errors('event_id=1')).toEqual([{ field: 'body', message: expect.stringMatching(/one Zabbix event \(a JSON object\) or a list/) }]);
    expect(errors([])).toEqual([{ field: 'body', message: 'is an empty list: send at least one Zabbix event' }]);
    expect(errors([problem(), 7])).toEqual([{ field: 'body.1', message: expect.stringMatching(/parameters as a JSON object/) }]);
  });
});

describe('limits', () => {
  test('events per request', () => {
    expect(zabbix.limits.maxAlerts).toBe(100);
    expect(errors([problem(), recovery()], { maxAlerts: 1 })).toEqual([{ field: 'body', message: 'holds 2 Zabbix events; at most 1 are accepted in one request' }]);
  });

  test('tags, counted with the labels FlowDesk adds', () => {
    const tags = JSON.stringify(Array.from({ length: 62 }, (_, i) => ({ tag: `t${i}`, value: 'v' })));
    expect(errors({ ...problem(), event_tags_json: tags })).toEqual([{ field: 'body.event_tags_json', message: 'has 65 labels; at most 64 are accepted' }]);
  });

  test('a tag value, the event name and an annotation that are too long', () => {
    expect(errors({ ...problem(), event_tags_json: JSON.stringify([{ tag: 'a', value: 'x'.repeat(2049) }]) })).toEqual([
      { field: 'body.event_tags_json', message: 'tag "a" must be at most 2048 characters long, got 2049' },
    ]);
    expect(errors({ ...problem(), event_name: 'n'.repeat(2049) })).toEqual([{ field: 'body.event_name', message: 'must be at most 2048 characters long, got 2049' }]);
    expect(errors({ ...problem(), alert_message: 'm'.repeat(16_385) })).toEqual([{ field: 'body.alert_message', message: 'must be at most 16384 characters long, got 16385' }]);
  });
});
