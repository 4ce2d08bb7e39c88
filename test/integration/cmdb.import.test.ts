import { csvRecords } from '../../domain/cmdb/csv';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// CMDB import and export through the API against the real store: dry run, identification on
// re-import, reconciliation conflicts, CSV, rejected rows with reasons, round trip.

let api: TestApi;
let editor: TestUser;

beforeAll(async () => {
  api = await startTestApi();
  editor = await addUser(api.db, 'ivy', ['cmdb_editor']);
});
afterAll(() => api?.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: editor.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

const estate = {
  format: 'json',
  cis: [
    { ref: 'dc', class: 'data_centre', attributes: { name: 'DC North', code: 'DCN' } },
    { ref: 'r1', class: 'rack', attributes: { name: 'R1', data_centre: 'dc' } },
    { ref: 'db1', class: 'physical_server', attributes: { name: 'db-1', serial_number: 'SN-100', hostname: 'db-1', domain: 'bank.example', rack: 'r1', rack_unit: 10, os_version: '11' }, tags: ['pci'] },
    { ref: 'web', class: 'virtual_machine', attributes: { name: 'web-1', hostname: 'web-1', domain: 'bank.example', primary_ip: '10.0.0.5' } },
  ],
  relations: [
    { type: 'contains', source: 'dc', target: 'r1' },
    { type: 'contains', source: 'r1', target: 'db1' },
    { type: 'hosted_on', source: 'web', target: 'db1' },
  ],
};

test('a dry run reports what would happen and writes nothing', async () => {
  const dry = await call('POST', '/cmdb/import?dryRun=true', estate);
  expect(dry.status).toBe(200);
  expect(dry.body).toMatchObject({ dryRun: true, cis: { created: 4, updated: 0, unchanged: 0, rejected: 0 }, relations: { created: 3, existing: 0, rejected: 0 } });
  expect((await call('POST', '/cmdb/query', { selector: {} })).body.total).toBe(0);
});

test('import, then re-import: identified, unchanged; a changed value updates; a manual value is kept as a conflict', async () => {
  const first = await call('POST', '/cmdb/import', estate);
  expect(first.body.cis).toEqual({ created: 4, updated: 0, unchanged: 0, rejected: 0 });
  const server = (await call('POST', '/cmdb/query', { selector: { class: 'physical_server' } })).body.items[0];
  expect(server.attributes.rack).toMatch(/^ci-/);
  expect(server.sources.os_version).toBe('import');

  const again = await call('POST', '/cmdb/import', estate);
  expect(again.body.cis).toEqual({ created: 0, updated: 0, unchanged: 4, rejected: 0 });
  expect(again.body.relations).toEqual({ created: 0, existing: 3, rejected: 0 });

  await call('PATCH', `/cmdb/cis/${server.id}`, { attributes: { owner_group: 'dba-team' } });
  const changed = await call('POST', '/cmdb/import', {
    format: 'json',
    cis: [{ class: 'physical_server', attributes: { name: 'db-1', serial_number: 'sn-100', os_version: '12', owner_group: 'someone-else' } }],
  });
  expect(changed.body.cis).toEqual({ created: 0, updated: 1, unchanged: 0, rejected: 0 });
  expect(changed.body.rows[0].conflicts).toEqual([{ attribute: 'owner_group', kept: 'dba-team', keptSource: 'manual', offered: 'someone-else', offeredSource: 'import' }]);
  const after = (await call('GET', `/cmdb/cis/${server.id}`)).body;
  expect(after.attributes).toMatchObject({ os_version: '12', owner_group: 'dba-team' });
  const history = (await call('GET', `/cmdb/cis/${server.id}/history`)).body.items;
  expect(history[0]).toMatchObject({ actor: { type: 'import', id: 'ivy' }, changes: { os_version: { before: '11', after: '12' } } });
});

test('CSV: quoted cells, lists, tags; bad rows are rejected with reasons, good ones land', async () => {
  const cis = [
    'ref,class,tags,name,hostname,domain,ip_addresses,cpu_count,serial_number',
    'a,virtual_machine,pci;tier1,"app, one",app-1,bank.example,10.1.0.1;10.1.0.2,4,',
    'b,virtual_machine,,app-2,app-2,bank.example,,lots,',
    'c,spaceship,,x,,,,,',
    'd,physical_server,,db-1,db-1,bank.example,,32,SN-100',
  ].join('\n');
  const res = await call('POST', '/cmdb/import', { format: 'csv', cis, relations: 'type,source,target\nhosted_on,a,nowhere\n' });
  // d carries db-1's serial number: it is db-1, and updates it.
  expect(res.body.cis).toEqual({ created: 1, updated: 1, unchanged: 0, rejected: 2 });
  const reasons = Object.fromEntries(res.body.rows.map((r: { ref: string; errors: Array<{ field: string; message: string }> }) => [r.ref, r.errors?.[0]]));
  expect(reasons.b).toEqual({ field: 'attributes.cpu_count', message: 'must be a number, got "lots"' });
  expect(reasons.c).toEqual({ field: 'class', message: "no class 'spaceship'" });
  expect(res.body.rows.find((r: { ref: string }) => r.ref === 'd')).toMatchObject({ outcome: 'updated' });
  expect(res.body.relationErrors[0].errors).toEqual([{ field: 'target', message: 'no CI nowhere' }]);
  const created = (await call('POST', '/cmdb/query', { selector: { tags: ['tier1'] } })).body.items[0];
  expect(created.attributes).toMatchObject({ name: 'app, one', ip_addresses: ['10.1.0.1', '10.1.0.2'], cpu_count: 4 });

  const taken = await call('POST', '/cmdb/import', { format: 'json', cis: [{ class: 'data_centre', attributes: { name: 'DC South', code: 'DCN' } }] });
  expect(taken.body.rows[0]).toMatchObject({ outcome: 'rejected', errors: [{ field: 'attributes.code', message: expect.stringMatching(/^must be unique among data_centre CIs/) }] });

  const broken = await call('POST', '/cmdb/import', { format: 'csv', cis: 'class,name\n"unclosed' });
  expect(broken.status).toBe(400);
  expect(broken.body.detail).toMatch(/quoted field is not closed/);
  expect((await call('POST', '/cmdb/import', { format: 'xml', cis: '' })).status).toBe(400);
});

test('export imports back unchanged, as JSON and as CSV', async () => {
  const json = await call('GET', '/cmdb/export');
  expect(json.body.cis).toHaveLength(5);
  expect(json.body.relations).toHaveLength(3);
  expect((await call('POST', '/cmdb/import?dryRun=true', json.body)).body).toMatchObject({ cis: { unchanged: 5, created: 0, updated: 0 }, relations: { existing: 3 } });

  const csv = await call('GET', '/cmdb/export?format=csv&class=host');
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  const rows = csvRecords(csv.body as string);
  expect(rows.map((r) => r.name).sort()).toEqual(['app, one', 'db-1', 'web-1']);
  const relationsCsv = (await call('GET', '/cmdb/export?format=csv&part=relations')).body as string;
  const back = await call('POST', '/cmdb/import?dryRun=true', { format: 'csv', cis: csv.body, relations: relationsCsv });
  expect(back.body.rows).toEqual([]);
  expect(back.body.cis).toMatchObject({ unchanged: 3, rejected: 0 });
});
