import { render } from '../../../activities/automation/render';
import { runbookDefinition } from '../../../api/schemas/runbook';
import { describeExpected, statusExpected, urlProblem } from '../../../domain/automation/http';
import { stepPlans } from '../../../domain/automation/run';
import { idempotentByNature, type RunbookDefinition, type RunbookStep } from '../../../domain/automation/runbook';
import { capOutput, maskDeep } from '../../../domain/automation/stepOutput';
import { checkRemotePath, parseMode, parseOwner, parseProbe, tempPathFor, uploadPlan } from '../../../domain/automation/upload';

// The pure parts of the snmp, http, cloud and upload steps: their inputs as the schema
// judges them, idempotence by nature, outputs capped and masked, upload plans.

const definition = (steps: unknown[]) => ({ name: 'T', risk: 'low', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host' } }, steps });
const issues = (steps: unknown[]) => {
  const parsed = runbookDefinition.safeParse(definition(steps));
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const CRED = 'cred_0123456789abcdef';

describe('step schemas', () => {
  it('accepts one of each new step type', () => {
    expect(
      issues([
        { id: 'a', type: 'snmp.get', oids: ['1.3.6.1.2.1.1.5.0', '{{params.oid}}'], port: 1161, requestTimeout: '2s' },
        { id: 'b', type: 'snmp.walk', oid: '1.3.6.1.2.1.2.2', maxRows: 50, deadline: '20s', credential: CRED },
        { id: 'c', type: 'snmp.set', varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetString', value: '{{params.where}}' }, { oid: '1.3.6.1.2.1.11.30.0', type: 'Integer', value: 1 }] },
        { id: 'd', type: 'http.request', method: 'POST', url: 'https://api.example/x/{{target.name}}', json: { a: '{{params.x}}' }, credential: CRED, expectStatus: ['2xx', 409] },
        { id: 'e', type: 'cloud.server.stop', credential: CRED, server: '{{target.attributes.cloud_id}}' },
        { id: 'f', type: 'cloud.server.resize', credential: CRED, server: 'x', flavor: '2', confirm: false },
        { id: 'g', type: 'cloud.server.resize', credential: CRED, server: 'x', settle: 'revert' },
        { id: 'h', type: 'cloud.server.reboot', credential: CRED, server: 'x', reboot: 'hard' },
        { id: 'i', type: 'cloud.server.snapshot', credential: CRED, server: 'x', name: 'pre-{{run.id}}', metadata: { by: 'flowdesk' } },
        { id: 'j', type: 'cloud.server.list', credential: CRED, status: ['running'] },
        { id: 'k', type: 'ssh.upload', path: '/etc/{{params.name}}.conf', content: 'x={{params.x}}\n', mode: '0600', owner: 'root:root' },
        { id: 'l', type: 'ssh.upload', path: '/usr/local/bin/check', script: { id: 'health-check', version: 2 }, mode: '0755' },
      ]),
    ).toEqual([]);
  });

  it('names what is wrong, per field', () => {
    expect(issues([{ id: 'a', type: 'snmp.get', oids: ['ifDescr'] }])).toEqual([expect.stringMatching(/^steps\.0\.oids\.0: OID 'ifDescr' is not a numeric OID.*MIB names are not resolved/)]);
    expect(issues([{ id: 'a', type: 'snmp.get', oids: ['1.3.6.1.2.1.1.5.0'], requestTimeout: '2m' }])).toEqual([expect.stringMatching(/^steps\.0\.requestTimeout: must be at most 60s/)]);
    expect(issues([{ id: 'a', type: 'http.request', url: 'ftp://x/' }])).toEqual([expect.stringMatching(/^steps\.0\.url: must start with http/)]);
    expect(issues([{ id: 'a', type: 'http.request', url: 'http://x/', body: 'b' }])).toEqual(['steps.0.body: a GET request has no body']);
    expect(issues([{ id: 'a', type: 'http.request', method: 'POST', url: 'http://x/', body: 'b', json: {} }])).toEqual(['steps.0.json: give body (text) or json, not both']);
    expect(issues([{ id: 'a', type: 'http.request', url: 'http://x/', credential: CRED, headers: { Authorization: 'x' } }])).toEqual(['steps.0.headers: the credential sets the Authorization header; leave it out of headers']);
    expect(issues([{ id: 'a', type: 'http.request', url: 'http://x/', expectStatus: '2yy' }])).toEqual([expect.stringMatching(/^steps\.0\.expectStatus: /)]);
    expect(issues([{ id: 'a', type: 'cloud.server.start', credential: CRED }])).toEqual([expect.stringMatching(/^steps\.0\.server: /)]);
    expect(issues([{ id: 'a', type: 'cloud.server.resize', credential: CRED, server: 'x' }])).toEqual([expect.stringMatching(/^steps\.0\.flavor: give flavor .* or settle/)]);
    expect(issues([{ id: 'a', type: 'cloud.server.resize', credential: CRED, server: 'x', flavor: '2', wait: false }])).toEqual([expect.stringMatching(/^steps\.0\.confirm: confirming a resize needs the step to wait/)]);
    expect(issues([{ id: 'a', type: 'cloud.server.stop', credential: 'prod-cloud', server: 'x' }])).toEqual([expect.stringMatching(/^steps\.0\.credential: must be a credential id/)]);
    expect(issues([{ id: 'a', type: 'ssh.upload', path: '/a/../b', content: 'x' }])).toEqual([expect.stringMatching(/^steps\.0\.path: .*'\.\.' segment/)]);
    expect(issues([{ id: 'a', type: 'ssh.upload', path: '/a' }])).toEqual(['steps.0.content: give content (inline text) or script (from the library), one of them']);
    expect(issues([{ id: 'a', type: 'ssh.upload', path: '/a', content: 'x', owner: 'root;rm' }])).toEqual(["steps.0.owner: must be 'user' or 'user:group'"]);
    expect(issues([{ id: 'a', type: 'telnet' }])[0]).toMatch(/type must be one of ssh\.command, ssh\.script, ssh\.upload, snmp\.get, .*cloud\.server\.snapshot, wait, approval, condition/);
  });
});

describe('idempotence by nature', () => {
  const step = (s: Record<string, unknown>) => ({ id: 's', ...s }) as unknown as RunbookStep;
  it('reads and uploads are; POST and cloud actions are not unless they say so', () => {
    expect(idempotentByNature(step({ type: 'snmp.get', oids: [] }))).toBe(true);
    expect(idempotentByNature(step({ type: 'snmp.set', varbinds: [] }))).toBe(false);
    expect(idempotentByNature(step({ type: 'http.request', url: 'http://x' }))).toBe(true);
    expect(idempotentByNature(step({ type: 'http.request', method: 'POST', url: 'http://x' }))).toBe(false);
    expect(idempotentByNature(step({ type: 'http.request', method: 'PUT', url: 'http://x' }))).toBe(false);
    expect(idempotentByNature(step({ type: 'cloud.server.list' }))).toBe(true);
    expect(idempotentByNature(step({ type: 'cloud.server.stop' }))).toBe(false);
    expect(idempotentByNature(step({ type: 'ssh.upload' }))).toBe(true);
    expect(idempotentByNature(step({ type: 'ssh.command' }))).toBe(false);
  });

  it('plans retries from it, and the step can say otherwise', () => {
    const plans = stepPlans({ steps: [step({ type: 'snmp.walk', oid: '1.3' }), step({ type: 'snmp.walk', oid: '1.3', idempotent: false }), step({ type: 'http.request', method: 'POST', url: 'http://x', idempotent: true, retries: 4 })] } as unknown as RunbookDefinition);
    expect(plans.map((p) => [p.idempotent, p.retries])).toEqual([
      [true, 2],
      [false, 0],
      [true, 4],
    ]);
  });
});

describe('http statuses and URLs', () => {
  it('expects 2xx by default, or the codes and classes given', () => {
    expect(statusExpected(204, undefined)).toBe(true);
    expect(statusExpected(301, undefined)).toBe(false);
    expect(statusExpected(404, [404, '2xx'])).toBe(true);
    expect(statusExpected(500, '4xx')).toBe(false);
    expect(describeExpected([200, '3xx'])).toBe('200 or 3xx');
  });

  it('takes http and https without credentials in them', () => {
    expect(urlProblem('https://api.example/v1')).toBeNull();
    expect(urlProblem('file:///etc/passwd')).toBe('the URL must be http or https, not file');
    expect(urlProblem('http://u:p@x/')).toMatch(/must not carry a user or password/);
    expect(urlProblem('nope')).toMatch(/is not a URL/);
  });

  it('url templates percent-encode values, and paste raw ones as written', () => {
    const context = { params: { q: 'a b&c=d/../e', base: 'https://api.example/v1' } };
    expect(render('{{{params.base}}}/search?q={{params.q}}', context, 'url')).toBe('https://api.example/v1/search?q=a%20b%26c%3Dd%2F..%2Fe');
    expect(() => render('{{params.nope}}', context, 'url')).toThrow(/"nope" not defined/);
  });
});

describe('outputs', () => {
  it('masks secrets in every string, keys too', () => {
    expect(maskDeep({ a: ['tok-secret-1', { 'tok-secret-1': 2 }], n: 3 }, ['tok-secret-1'])).toEqual({ a: ['••••••', { '••••••': 2 }], n: 3 });
  });

  it('caps at 64 KiB by dropping items of the largest list, saying how many went', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ oid: `1.3.6.1.2.1.2.2.1.2.${i}`, type: 'OctetString', value: 'x'.repeat(40) }));
    const capped = capOutput({ root: '1.3', rows, truncated: false }) as { rows: unknown[]; omittedItems: number; outputBytes: number };
    expect(JSON.stringify(capped).length).toBeLessThanOrEqual(64 * 1024);
    expect(capped.rows.length + capped.omittedItems).toBe(2000);
    expect(capped.rows.length).toBeGreaterThan(500);
    expect(capOutput({ small: true })).toEqual({ small: true });
    expect(capOutput('y'.repeat(70_000))).toMatchObject({ outputBytes: 70_002, preview: expect.any(String) });
  });
});

describe('uploads', () => {
  it('checks the path, mode and owner', () => {
    expect(checkRemotePath('/etc/app/app.conf')).toBe('/etc/app/app.conf');
    expect(() => checkRemotePath('etc/app')).toThrow(/must be absolute/);
    expect(() => checkRemotePath('/etc/app/')).toThrow(/names a directory/);
    expect(() => checkRemotePath('/etc/a\nb')).toThrow(/control character/);
    expect(parseMode('0644')).toBe(0o644);
    expect(parseMode('755')).toBe(0o755);
    expect(() => parseMode('4755')).toThrow(/octal permission bits/);
    expect(parseOwner('app:ops')).toEqual({ user: 'app', group: 'ops' });
    expect(() => parseOwner('$(id)')).toThrow(/user:group/);
    expect(tempPathFor('/etc/app.conf', 'abc')).toBe('/etc/.app.conf.flowdesk-abc');
  });

  it('writes only what differs', () => {
    const sha = 'a'.repeat(64);
    const there = parseProbe(`${sha}  -\n640 app ops\n`);
    expect(there).toEqual({ kind: 'file', sha256: sha, mode: 0o640, user: 'app', group: 'ops' });
    expect(uploadPlan(there, { sha256: sha, mode: 0o640 })).toBe('unchanged');
    expect(uploadPlan(there, { sha256: sha, mode: 0o640, owner: { user: 'app' } })).toBe('unchanged');
    expect(uploadPlan(there, { sha256: sha, mode: 0o600 })).toBe('attributes');
    expect(uploadPlan(there, { sha256: sha, mode: 0o640, owner: { user: 'root', group: 'ops' } })).toBe('attributes');
    expect(uploadPlan(there, { sha256: 'b'.repeat(64), mode: 0o640 })).toBe('replace');
    expect(uploadPlan(parseProbe('flowdesk:absent\n'), { sha256: sha, mode: 0o640 })).toBe('create');
    expect(() => uploadPlan(parseProbe('flowdesk:not-a-file\n'), { sha256: sha, mode: 0o640 })).toThrow(/not a regular file/);
    expect(() => parseProbe('sha256sum: command not found')).toThrow(/not what sha256sum and stat print/);
  });
});
