import { createHash, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { type AlertRun, createAlertRunActivities, startRunForAlert, type AlertRunDeps } from '../../activities/automation/alertRuns';
import { loadCatalog } from '../../runtime/catalog';
import { RunRequestError } from '../../store/automation/newRun';
import { listRuns } from '../../store/automation/runs';
import { userModel } from '../../store/users';
import { addUser, eventually, startTestApi, startZoneWorker, testMasterKey, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';

// The triggers of runs end to end: explicit targets through the runs API, run schedules
// backed by real Temporal Schedules, runs for tickets whose results land on the ticket's
// timeline, and the alert center's entry point, all executed on the shared Temporal server
// by a real zone worker against a real OpenSSH server.

let api: TestApi;
let sshd: Sshd;
let ops: TestUser;
let viewer: TestUser;
let desk: TestUser;
let outsider: TestUser;
let worker: TestWorker;
let alertDeps: AlertRunDeps;
/** CI ids by name: lab-a..c carry the `lab` tag, stray does not. */
const cis: Record<string, string> = {};

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(user: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: user.bearer, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

beforeAll(async () => {
  [api, sshd] = await Promise.all([startTestApi(), startSshd()]);
  ops = await addUser(api.db, 'ops', ['automation_admin', 'cmdb_editor']);
  viewer = await addUser(api.db, 'vera', ['auditor']);
  desk = await addUser(api.db, 'dana', ['agent', 'automation_admin'], ['service-desk']);
  outsider = await addUser(api.db, 'otis', ['automation_admin']);
  worker = await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey, { workerName: 'worker-dc-a' });
  alertDeps = { db: api.db, masterKey: testMasterKey(api.masterKey), temporal: api.client, taskQueue: api.taskQueue, role: 'automation_operator', policy: loadCatalog().runPolicy };
  const made = await call(ops, 'POST', '/credentials', { name: 'lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(made.status).toBe(201);
  for (const [name, tags] of [['lab-a', ['lab']], ['lab-b', ['lab']], ['lab-c', ['lab']], ['stray', ['other']]] as const) {
    const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name, primary_ip: '127.0.0.1', zone: 'dc-a', ssh_port: sshd.port, ssh_credential: made.body.id }, tags });
    expect(ci.status).toBe(201);
    cis[name] = ci.body.id;
  }
  await publish('lab-uptime', { steps: [{ id: 'up', type: 'ssh.command', command: 'echo up {{target.name}}' }] });
  await publish('alert-heal', { allowedRoles: ['automation_operator'], steps: [{ id: 'heal', type: 'ssh.command', command: 'echo healed {{target.name}}' }] });
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop()]);
});

/** Publishes a runbook over the lab hosts (draft, then version) through the library API. */
async function publish(id: string, definition: Record<string, unknown>): Promise<void> {
  const saved = await call(ops, 'PUT', `/automation/runbooks/${id}/draft`, { name: `Test ${id}`, risk: 'low', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host', tags: ['lab'] } }, ...definition });
  expect({ status: saved.status, body: saved.status < 300 ? null : saved.body }).toEqual({ status: expect.any(Number), body: null });
  expect((await call(ops, 'POST', `/automation/runbooks/${id}/publish`, { note: 'test' })).status).toBe(201);
}


const finished = (run: any) => ['succeeded', 'failed', 'stopped', 'cancelled'].includes(run.status);
async function finishedRun(id: string): Promise<any> {
  return eventually(`run ${id} to end`, async () => {
    const res = await call(ops, 'GET', `/automation/runs/${id}`);
    return finished(res.body) && res.body;
  });
}

async function hostNames(runId: string): Promise<string[]> {
  return (await call(ops, 'GET', `/automation/runs/${runId}/hosts`)).body.items.map((h: any) => h.name);
}

describe('explicit targets', () => {
  test('narrow a run to some of the runbook’s targets', async () => {
    const started = await call(ops, 'POST', '/automation/runs', { runbook: 'lab-uptime', targets: [cis['lab-c'], cis['lab-a'], cis['lab-c']] });
    expect(started.status).toBe(201);
    const run = await finishedRun(started.body.id);
    expect(run).toMatchObject({ status: 'succeeded', targets: { total: 2 }, hosts: { succeeded: 2 } });
    expect(await hostNames(run.id)).toEqual(['lab-a', 'lab-c']);
  });

  test('outside the runbook’s selector are refused, naming each, and nothing starts', async () => {
    const before = (await listRuns(api.db, {}, 500)).length;
    const refused = await call(ops, 'POST', '/automation/runs', { runbook: 'lab-uptime', targets: [cis['lab-a'], cis['stray'], 'ci-nowhere'] });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain(cis['stray']);
    expect(refused.body.detail).toContain('ci-nowhere');
    expect(refused.body.errors).toEqual([
      { field: 'body.targets.1', message: `${cis['stray']} is not one of runbook lab-uptime's targets: its selector does not select it` },
      { field: 'body.targets.2', message: 'no CI ci-nowhere' },
    ]);
    expect((await call(ops, 'POST', '/automation/runs', { runbook: 'lab-uptime', targets: [] })).status).toBe(400);
    expect((await listRuns(api.db, {}, 500)).length).toBe(before);
  });
});

describe('run schedules', () => {
  const nightly = { id: 'nightly-uptime', runbook: 'lab-uptime', targets: [] as string[], spec: { cron: ['0 3 * * *'], timezone: 'Europe/Berlin' }, overlap: 'buffer_one', note: 'every night' };
  beforeAll(() => {
    nightly.targets = [cis['lab-b']!];
  });

  test('are made with their Temporal Schedule: next firing times, overlap policy, time zone', async () => {
    const created = await call(ops, 'POST', '/automation/schedules', nightly);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toContain('/automation/schedules/nightly-uptime');
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ id: 'nightly-uptime', owner: 'ops', overlap: 'buffer_one', paused: false, revision: 1, targets: [cis['lab-b']] });

    const read = await call(viewer, 'GET', '/automation/schedules/nightly-uptime');
    expect(read.status).toBe(200);
    const next = read.body.nextRuns as string[];
    expect(next).toHaveLength(5);
    expect([...next].sort()).toEqual(next);
    expect(Date.parse(next[0]!)).toBeGreaterThan(Date.now());
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' });
    expect(new Set(next.map((t) => berlin.format(new Date(t))))).toEqual(new Set(['03:00']));

    const described = await api.client.schedule.getHandle('automation:nightly-uptime').describe();
    expect(described.policies.overlap).toBe('BUFFER_ONE');
    expect(described.spec.timezone).toBe('Europe/Berlin');
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledRunWorkflow', args: [{ scheduleId: 'nightly-uptime' }] });
    expect(described.state).toMatchObject({ paused: false, note: 'every night' });

    const listed = await call(viewer, 'GET', '/automation/schedules');
    expect(listed.body.items.map((s: any) => s.id)).toContain('nightly-uptime');
    expect((await call(ops, 'POST', '/automation/schedules', nightly)).status).toBe(409);
    expect((await call(viewer, 'POST', '/automation/schedules', { ...nightly, id: 'viewer-made' })).status).toBe(403);
  });

  test('take calendar specs', async () => {
    const created = await call(ops, 'POST', '/automation/schedules', { id: 'weekday-morning', runbook: 'lab-uptime', spec: { calendars: [{ hour: 9, minute: 30, dayOfWeek: { start: 'MONDAY', end: 5 } }] }, paused: true });
    expect(created.status).toBe(201);
    expect(created.body.nextRuns).toEqual([]); // paused: nothing is due
    const resumed = await call(ops, 'POST', '/automation/schedules/weekday-morning/resume', { note: 'go' });
    expect(resumed.status).toBe(200);
    for (const at of resumed.body.nextRuns.map((t: string) => new Date(t))) {
      expect([at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()]).toEqual([9, 30, 0]);
      expect([1, 2, 3, 4, 5]).toContain(at.getUTCDay());
    }
    expect(resumed.body.nextRuns).toHaveLength(5);
    expect((await call(ops, 'DELETE', '/automation/schedules/weekday-morning')).status).toBe(204);
  });

  test('refuse bad times with a 400 naming the field', async () => {
    const bad = async (spec: unknown) => {
      const res = await call(ops, 'POST', '/automation/schedules', { id: 'bad-times', runbook: 'lab-uptime', spec });
      expect(res.status).toBe(400);
      return res.body.errors;
    };
    expect(await bad({ cron: ['61 * * * *'] })).toEqual([{ field: 'body.spec.cron.0', message: "minute '61': 61 is outside 0-59" }]);
    expect(await bad({ cron: ['0 3 * * *', 'every night'] })).toEqual([{ field: 'body.spec.cron.1', message: 'a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 2' }]);
    expect((await bad({ cron: ['@fortnightly'] }))[0].message).toMatch(/unknown macro @fortnightly/);
    expect((await bad({ cron: ['0 3 * * *'], timezone: 'Mars/Olympus' }))[0]).toMatchObject({ field: 'body.spec.timezone', message: expect.stringMatching(/unknown time zone/) });
    expect((await bad({ calendars: [{ hour: 25 }] }))[0]).toMatchObject({ field: 'body.spec.calendars.0.hour' });
    expect((await bad({}))[0]).toMatchObject({ field: 'body.spec.cron' });
    // Macros are taken.
    const hourly = await call(ops, 'POST', '/automation/schedules', { id: 'hourly-check', runbook: 'lab-uptime', spec: { cron: ['@hourly'] } });
    expect(hourly.status).toBe(201);
    expect(new Date(hourly.body.nextRuns[0]).getUTCMinutes()).toBe(0);
    expect((await call(ops, 'DELETE', '/automation/schedules/hourly-check')).status).toBe(204);
  });

  test('pause and resume with a note, and the Temporal Schedule follows', async () => {
    const handle = api.client.schedule.getHandle('automation:nightly-uptime');
    const paused = await call(ops, 'POST', '/automation/schedules/nightly-uptime/pause', { note: 'change freeze' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, note: 'change freeze', nextRuns: [] });
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'change freeze' });
    const resumed = await call(ops, 'POST', '/automation/schedules/nightly-uptime/resume', { note: 'freeze over' });
    expect(resumed.body).toMatchObject({ paused: false, note: 'freeze over' });
    expect(resumed.body.nextRuns).toHaveLength(5);
    expect((await handle.describe()).state).toMatchObject({ paused: false, note: 'freeze over' });
  });

  test('update with If-Match; a stale tag is refused', async () => {
    const current = await call(ops, 'GET', '/automation/schedules/nightly-uptime');
    const stale = await call(ops, 'PUT', '/automation/schedules/nightly-uptime', { ...withoutId(nightly), spec: { cron: ['30 4 * * 1'] } }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const updated = await call(ops, 'PUT', '/automation/schedules/nightly-uptime', { ...withoutId(nightly), spec: { cron: ['30 4 * * 1'] }, overlap: 'skip' }, { 'if-match': current.headers.get('etag')! });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ overlap: 'skip', spec: { cron: ['30 4 * * 1'] } });
    expect(updated.headers.get('etag')).not.toBe(current.headers.get('etag'));
    const described = await api.client.schedule.getHandle('automation:nightly-uptime').describe();
    expect(described.policies.overlap).toBe('SKIP');
    for (const at of updated.body.nextRuns.map((t: string) => new Date(t))) expect([at.getUTCDay(), at.getUTCMinutes()]).toEqual([1, 30]);
  });

  test('trigger now makes a run as the owner that succeeds, shown with the schedule', async () => {
    const triggered = await call(ops, 'POST', '/automation/schedules/nightly-uptime/trigger');
    expect(triggered.status).toBe(202);
    const firing = await eventually('the firing to end', async () => {
      const res = await call(viewer, 'GET', '/automation/schedules/nightly-uptime');
      const latest = res.body.recentActions[0];
      return latest?.status === 'completed' && { schedule: res.body, latest };
    });
    expect(firing.latest).toMatchObject({ workflowId: expect.stringMatching(/^automation-schedule\/nightly-uptime-/), runId: expect.stringMatching(/^RUN\d{7}$/), runStatus: 'succeeded' });
    const run = await finishedRun(firing.latest.runId);
    expect(run).toMatchObject({ status: 'succeeded', requestedBy: 'ops', trigger: { type: 'schedule', ref: 'nightly-uptime' }, targets: { total: 1 } });
    expect(await hostNames(run.id)).toEqual(['lab-b']);
    expect(firing.schedule.recentRuns.map((r: any) => r.id)).toContain(run.id);
  });

  test('a schedule whose owner lost the role fails its firing with the reason, and makes no run', async () => {
    const owner = await addUser(api.db, 'sched', ['automation_admin']);
    expect((await call(owner, 'POST', '/automation/schedules', { id: 'orphaned', runbook: 'lab-uptime', spec: { cron: ['0 4 * * *'] } })).status).toBe(201);
    await userModel(api.db).updateOne({ _id: 'sched' }, { $set: { roles: ['automation_operator'] } }).exec();
    expect((await call(ops, 'POST', '/automation/schedules/orphaned/trigger')).status).toBe(202);
    const failed = await eventually('the firing to fail', async () => {
      const res = await call(viewer, 'GET', '/automation/schedules/orphaned');
      return res.body.recentActions[0]?.status === 'failed' && res.body;
    });
    expect(failed.recentActions[0].error).toMatch(/^schedule orphaned fired at .+ but made no run: runbook lab-uptime may be run by automation_admin \(and admins\); your roles are automation_operator$/);
    expect(failed.recentRuns).toEqual([]);
    // A removed account stops it too.
    await userModel(api.db).updateOne({ _id: 'sched' }, { $set: { active: false } }).exec();
    expect((await call(ops, 'POST', '/automation/schedules/orphaned/trigger')).status).toBe(202);
    const disabled = await eventually('the second firing to fail', async () => {
      const res = await call(viewer, 'GET', '/automation/schedules/orphaned');
      return res.body.recentActions.length === 2 && res.body.recentActions[0].status === 'failed' && res.body;
    });
    expect(disabled.recentActions[0].error).toMatch(/its owner sched is disabled/);
  });

  test('keep secret parameters sealed: masked when read, kept when sent back masked, given to the run', async () => {
    const token = `tok-${randomBytes(6).toString('hex')}`;
    await publish('secret-hash', {
      parameters: { type: 'object', required: ['token'], properties: { token: { type: 'string', title: 'Token' } } },
      secretParameters: ['token'],
      targets: { selector: { class: 'host', tags: ['lab'], where: { name: 'lab-a' } } },
      steps: [{ id: 'hash', type: 'ssh.command', command: 'printf %s {{params.token}} | sha256sum' }],
    });
    const created = await call(ops, 'POST', '/automation/schedules', { id: 'with-secret', runbook: 'secret-hash', params: { token }, spec: { cron: ['0 5 * * *'] } });
    expect(created.status).toBe(201);
    expect(created.body.params).toEqual({ token: '••••••' });
    const stored = await api.db.collection('automation_schedules').findOne({ _id: 'with-secret' as never });
    expect(JSON.stringify(stored)).not.toContain(token);
    const kept = await call(ops, 'PUT', '/automation/schedules/with-secret', { runbook: 'secret-hash', params: { token: '••••••' }, spec: { cron: ['0 6 * * *'] } }, { 'if-match': created.headers.get('etag')! });
    expect(kept.status).toBe(200);
    // Fired by hand while paused: trigger does not wait for resume.
    expect((await call(ops, 'POST', '/automation/schedules/with-secret/pause', { note: 'by hand only' })).status).toBe(200);
    expect((await call(ops, 'POST', '/automation/schedules/with-secret/trigger')).status).toBe(202);
    const firing = await eventually('the firing to end', async () => {
      const latest = (await call(ops, 'GET', '/automation/schedules/with-secret')).body.recentActions[0];
      return latest?.status === 'completed' && latest;
    });
    expect(firing.runStatus).toBe('succeeded');
    const host = (await call(ops, 'GET', `/automation/runs/${firing.runId}/hosts/0`)).body;
    expect(host.steps.hash.stdout).toBe(`${createHash('sha256').update(token).digest('hex')}  -\n`);
    expect((await call(ops, 'DELETE', '/automation/schedules/with-secret')).status).toBe(204);
  });

  test('a schedule is deleted with its Temporal Schedule; its runs stay', async () => {
    const runs = (await call(ops, 'GET', '/automation/schedules/nightly-uptime')).body.recentRuns;
    expect((await call(ops, 'DELETE', '/automation/schedules/nightly-uptime')).status).toBe(204);
    await expect(api.client.schedule.getHandle('automation:nightly-uptime').describe()).rejects.toThrow(/not found/i);
    expect((await call(ops, 'GET', '/automation/schedules/nightly-uptime')).status).toBe(404);
    expect((await call(ops, 'GET', `/automation/runs/${runs[0].id}`)).status).toBe(200);
    expect((await call(ops, 'DELETE', '/automation/schedules/nightly-uptime')).status).toBe(404);
  });
});

describe('runs for a ticket', () => {
  test('write their result to the incident’s timeline as evidence', async () => {
    const incident = await call(desk, 'POST', '/incidents', { title: 'Lab hosts slow', description: 'check them', impact: 2, urgency: 2, assignmentGroup: 'service-desk' });
    expect(incident.status).toBe(201);
    const number = incident.body.number as string;
    const started = await call(desk, 'POST', '/automation/runs', { runbook: 'lab-uptime', ticket: number, targets: [cis['lab-a'], cis['lab-b']] });
    expect(started.status).toBe(201);
    expect(started.body.trigger).toEqual({ type: 'ticket', ref: number });
    const run = await finishedRun(started.body.id);
    expect(run.status).toBe('succeeded');
    const entry = await eventually('the evidence on the timeline', async () => {
      const ticket = await call(desk, 'GET', `/tickets/${number}`);
      return ticket.body.timeline.find((e: any) => e.kind === 'automation');
    });
    expect(entry).toMatchObject({
      actor: 'automation',
      text: `Run ${run.id} of lab-uptime v1 succeeded: all 2 hosts succeeded (hosts: 2 succeeded)`,
      run: { runId: run.id, runbook: 'lab-uptime', version: 1, status: 'succeeded', summary: 'all 2 hosts succeeded', hosts: { succeeded: 2, failed: 0 }, link: expect.stringMatching(new RegExp(`/api/v1/automation/runs/${run.id}$`)) },
    });
  });

  test('a failed run is evidence too', async () => {
    await publish('lab-fail', { steps: [{ id: 'no', type: 'ssh.command', command: 'false' }] });
    const incident = await call(desk, 'POST', '/incidents', { title: 'Check fails', description: 'x', impact: 3, urgency: 3, assignmentGroup: 'service-desk' });
    const started = await call(desk, 'POST', '/automation/runs', { runbook: 'lab-fail', ticket: incident.body.number, targets: [cis['lab-c']] });
    const run = await finishedRun(started.body.id);
    expect(run.status).toBe('failed');
    const entry = await eventually('the evidence on the timeline', async () => (await call(desk, 'GET', `/tickets/${incident.body.number}`)).body.timeline.find((e: any) => e.kind === 'automation'));
    expect(entry.run).toMatchObject({ runId: run.id, status: 'failed', hosts: { failed: 1 } });
  });

  test('a ticket the caller cannot see, or that does not exist, is a 404', async () => {
    const incident = await call(desk, 'POST', '/incidents', { title: 'Private', description: 'x', impact: 3, urgency: 3, assignmentGroup: 'service-desk' });
    const hidden = await call(outsider, 'POST', '/automation/runs', { runbook: 'lab-uptime', ticket: incident.body.number });
    expect(hidden.status).toBe(404);
    expect(hidden.body.detail).toBe(`no ticket ${incident.body.number}`);
    expect((await call(ops, 'POST', '/automation/runs', { runbook: 'lab-uptime', ticket: 'INC9999999' })).status).toBe(404);
    expect((await call(ops, 'POST', '/automation/runs', { runbook: 'lab-uptime', ticket: 'CHG0000001' })).status).toBe(404);
  });
});

describe('runs for alerts', () => {
  test('one run per alert group and runbook, however often the alert center asks', async () => {
    const request = { runbook: 'alert-heal', targets: [cis['lab-a']!, cis['lab-b']!], alertGroup: 'cpu-high/lab' };
    const [first, second] = await Promise.all([startRunForAlert(alertDeps, request), startRunForAlert(alertDeps, request)]);
    expect(second.runId).toBe(first.runId);
    expect([first.created, second.created].filter(Boolean)).toHaveLength(1);
    expect(first.workflowId).toBe(`run/${first.runId}`);
    // A retried activity, later: the same run, nothing new started.
    const env = activityEnvironment();
    const { startAlertRun } = createAlertRunActivities(alertDeps);
    const retried = (await env.run(startAlertRun, request)) as AlertRun;
    expect(retried).toEqual({ runId: first.runId, workflowId: first.workflowId, created: false });
    const run = await finishedRun(first.runId);
    expect(run).toMatchObject({ status: 'succeeded', requestedBy: 'alert-center', trigger: { type: 'alert', ref: 'cpu-high/lab' }, targets: { total: 2 } });
    expect(await listRuns(api.db, { trigger: { type: 'alert', ref: 'cpu-high/lab' } }, 10)).toHaveLength(1);
    // Another runbook for the same group is another run.
    const other = await startRunForAlert(alertDeps, { ...request, runbook: 'lab-uptime' }).catch((error: unknown) => error);
    expect(other).toBeInstanceOf(RunRequestError); // lab-uptime does not allow the alert role
  });

  test('a request that cannot be a run fails the activity for good, and leaves nothing behind', async () => {
    const env = activityEnvironment();
    const { startAlertRun } = createAlertRunActivities(alertDeps);
    const outside = await env.run(startAlertRun, { runbook: 'alert-heal', targets: [cis['stray']!], alertGroup: 'disk-full/stray' }).catch((error: unknown) => error);
    expect(outside).toBeInstanceOf(ApplicationFailure);
    expect(outside).toMatchObject({ type: 'AlertRunRefused', nonRetryable: true, message: expect.stringContaining(`targets.0: ${cis['stray']} is not one of runbook alert-heal's targets`) });
    const forbidden = await env.run(startAlertRun, { runbook: 'lab-uptime', targets: [cis['lab-a']!], alertGroup: 'disk-full/lab' }).catch((error: unknown) => error);
    expect(forbidden).toMatchObject({ type: 'AlertRunRefused', message: expect.stringMatching(/your roles are automation_operator/) });
    // Corrected, the same group makes its run.
    const corrected = (await env.run(startAlertRun, { runbook: 'alert-heal', targets: [cis['lab-c']!], alertGroup: 'disk-full/stray' })) as AlertRun;
    expect(corrected.created).toBe(true);
    expect((await finishedRun(corrected.runId)).status).toBe('succeeded');
  });
});

/** Where a core activity runs as a worker would run it (on the API's task queue), without logging expected failures. */
function activityEnvironment(): MockActivityEnvironment {
  return new MockActivityEnvironment({ taskQueue: api.taskQueue }, { logger: new DefaultLogger('ERROR') });
}

function withoutId<T extends { id: string }>({ id: _id, ...rest }: T): Omit<T, 'id'> {
  return rest;
}
