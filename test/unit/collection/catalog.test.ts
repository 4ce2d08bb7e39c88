import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePollingJobs } from '../../../domain/collection/pollingJob';
import { validateThresholdRules } from '../../../domain/collection/thresholdRules';
import { DEFAULT_CATALOG_DIR, loadCatalog } from '../../../runtime/catalog';
import { loadCmdbModel } from '../../../runtime/catalog/cmdb';
import { loadPollingJobs, loadThresholdRules } from '../../../runtime/catalog/collection';

const { model } = loadCmdbModel(DEFAULT_CATALOG_DIR);
const paths = (problems: Array<{ path: string }>) => problems.map((p) => p.path);

describe('the shipped catalog', () => {
  test('loads: polling jobs with their defaults, threshold rules with their hold times in ms', () => {
    const catalog = loadCatalog();
    expect(catalog.polling.retention).toBe('30d');
    expect(catalog.polling.jobs.map((j) => [j.name, j.every, j.everyMs, j.metrics, j.port, j.timeoutMs])).toEqual([
      ['network-devices', '5m', 300_000, ['if-mib'], 161, 3000],
      ['servers', '5m', 300_000, ['host-resources', 'if-mib'], 161, 3000],
    ]);
    const cpu = catalog.thresholds.find((r) => r.id === 'cpu-high')!;
    expect(cpu).toMatchObject({ metric: 'cpu.load', op: '>', limit: 90, clear: 80, for: '10m', forMs: 600_000, clearFor: '10m', clearForMs: 600_000, severity: 'major', instance: null, cis: null });
    // `clear` defaults to the limit, `clearFor` to `for`.
    expect(catalog.thresholds.find((r) => r.id === 'interface-down')).toMatchObject({ clear: 1, forMs: 0, clearForMs: 0, cis: { class: 'network_device' } });
  });
});

describe('threshold rules', () => {
  const good = { id: 'cpu', metric: 'cpu.load', op: '>', limit: 90, clear: 80, for: '5m', severity: 'major' };

  test('every mistake is named by its path', () => {
    const result = validateThresholdRules(
      {
        thresholds: [
          { id: 'Bad Id', name: 'has space', metric: 'cpu', op: '=>', limit: 'ninety', for: 'soon', clearFor: 5, severity: 'fatal', instance: '(unclosed', cis: { class: 'nope' }, labels: { ci: 'x', 'bad-name': 'y' }, summary: '{{ci}} {{valeu}}', extra: 1 },
          { ...good, clear: 95 },
          { ...good, op: '<', limit: 10, clear: 5 },
          { ...good, labels: { rule: 'mine' } },
          good,
          good,
        ],
      },
      model,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(paths(result.problems)).toEqual([
      'thresholds[0].extra',
      'thresholds[0].id',
      'thresholds[0].name',
      'thresholds[0].metric',
      'thresholds[0].op',
      'thresholds[0].limit',
      'thresholds[0].clear',
      'thresholds[0].for',
      'thresholds[0].clearFor',
      'thresholds[0].severity',
      'thresholds[0].instance',
      'thresholds[0].cis.class',
      'thresholds[0].labels',
      'thresholds[0].summary',
      'thresholds[1].clear',
      'thresholds[2].clear',
      'thresholds[3].labels.rule',
      'thresholds[5].id',
    ]);
    const message = (path: string) => result.problems.find((p) => p.path === path)!.message;
    expect(message('thresholds[1].clear')).toBe("must be on the safe side of the limit: at most 90 for '>' (hysteresis: clear below the limit for a rule about high values)");
    expect(message('thresholds[0].summary')).toBe('unknown placeholder {{valeu}}; use {{name}}, {{ci}}, {{instance}}, {{instance_suffix}}, {{metric}}, {{value}}, {{limit}}, {{clear}}, {{op}}, {{for}}, {{severity}}');
    expect(message('thresholds[0].metric')).toMatch(/^must be one of snmp\.up, if\.oper_status, /);
  });

  test('a file that is not a list of rules', () => {
    expect(validateThresholdRules({ rules: [] })).toEqual({ ok: false, problems: [{ path: 'thresholds', message: 'must be a list of threshold rules' }] });
  });
});

describe('polling jobs', () => {
  const good = { name: 'edge', targets: { class: 'network_device' }, every: '1m', metrics: ['if-mib'] };

  test('every mistake is named by its path', () => {
    const result = validatePollingJobs(
      {
        retention: '10m',
        jobs: [
          { name: 'Edge Routers', targets: { class: 'router', where: { colour: 'red' } }, every: '5s', metrics: ['if-mib', 'ucd'], concurrency: 0, credential: '', port: 70000, timeout: '2m', paused: 'no', interval: '1m' },
          { ...good, metrics: ['if-mib', 'if-mib'] },
          { ...good, targets: { class: 'host', where: { nickname: 'x' } } },
          good,
          good,
        ],
        extra: true,
      },
      model,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(paths(result.problems)).toEqual([
      'extra',
      'retention',
      'jobs[0].interval',
      'jobs[0].name',
      'jobs[0].targets.class',
      'jobs[0].targets.where.colour',
      'jobs[0].every',
      'jobs[0].metrics',
      'jobs[0].concurrency',
      'jobs[0].credential',
      'jobs[0].port',
      'jobs[0].timeout',
      'jobs[0].paused',
      'jobs[1].metrics',
      'jobs[2].targets.where.nickname',
      'jobs[4].name',
    ]);
  });

  test('defaults: 10 at a time, port 161, 3 s per request, not paused; 30 days of samples', () => {
    const result = validatePollingJobs({ jobs: [good] }, model);
    expect(result).toEqual({
      ok: true,
      catalog: {
        retention: '30d',
        retentionMs: 30 * 86_400_000,
        jobs: [{ ...good, description: '', everyMs: 60_000, concurrency: 10, credential: null, port: 161, timeout: '3s', timeoutMs: 3000, paused: false }],
      },
    });
  });
});

describe('loading from catalog/', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-collection-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('without the files nothing is polled and nothing alerts', () => {
    expect(loadPollingJobs(dir)).toMatchObject({ jobs: [], retention: '30d' });
    expect(loadThresholdRules(dir)).toEqual([]);
  });

  test('a mistake fails the start, naming the file and each field', () => {
    fs.mkdirSync(path.join(dir, 'rules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rules', 'thresholds.yaml'), 'thresholds:\n  - { id: cpu, metric: cpu.load, op: ">", limit: 90, clear: 95, severity: major }\n');
    expect(() => loadThresholdRules(dir)).toThrow(`the threshold rules in ${path.join(dir, 'rules', 'thresholds.yaml')} have problems:\n  - thresholds[0].clear: must be on the safe side of the limit`);
    fs.mkdirSync(path.join(dir, 'collection'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'collection', 'polling-jobs.yaml'), 'jobs: [ { name: x, targets: {}, every: 1m, metrics: [if-mib]\n');
    expect(() => loadPollingJobs(dir)).toThrow(`${path.join(dir, 'collection', 'polling-jobs.yaml')} is not valid YAML`);
  });
});
