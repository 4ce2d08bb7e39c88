// Checks docker-compose.yml and the Dockerfile against runtime/config.ts without Docker:
// every FlowDesk variable the compose file sets must be a known setting, validate with
// loadConfig, point at services that exist, and agree between the API and the worker.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig, SETTINGS } from '../../runtime/config';

const root = path.resolve(__dirname, '..', '..');
const FLOWDESK_ROLES = ['api', 'worker'] as const;
/** The image's WORKDIR; loadConfig resolves the data directory against it. */
const IMAGE_WORKDIR = '/app';

type Env = Record<string, string>;

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target: number | string; published?: number | string }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
// `merge: true` resolves `<<: *anchor` the way Docker Compose does.
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;

/** Compose's `${NAME:-default}` / `${NAME-default}` resolve to the default here (no host env). */
function interpolate(value: string, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
    if (fallback === undefined) throw new Error(`${where}: \${${name}} has no default, so its value depends on the host`);
    return fallback;
  });
}

/** A service's `environment`, list or map form, as strings. */
function composeEnv(name: string): Env {
  const env = services[name]?.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line): [string, string] => {
        const eq = line.indexOf('=');
        return eq === -1 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(env).map(([key, value]): [string, string] => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value, `${name}.environment.${key}`)]));
}

function dependsOn(name: string): Record<string, string> {
  const deps = services[name]?.depends_on ?? [];
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((dep) => [dep, 'service_started']))
    : Object.fromEntries(Object.entries(deps).map(([dep, spec]) => [dep, spec?.condition ?? 'service_started']));
}

function commandOf(name: string): string[] {
  const command = services[name]?.command;
  return command === undefined ? [] : Array.isArray(command) ? command : command.trim().split(/\s+/);
}

/** Container ports a service publishes, mapped to the host port. */
function publishedPorts(name: string): Map<number, number> {
  const published = new Map<number, number>();
  for (const port of services[name]?.ports ?? []) {
    if (typeof port === 'object') {
      published.set(Number(port.target), Number(port.published ?? port.target));
      continue;
    }
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.at(-1));
    published.set(container, parts.length > 1 ? Number(parts.at(-2)) : container);
  }
  return published;
}

// ---- Dockerfile -----------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

function dockerfileStages(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** ENV KEY=VALUE ... (quotes stripped). */
function envOf(stage: Instruction[]): Env {
  const env: Env = {};
  for (const { args } of stage.filter((i) => i.keyword === 'ENV')) {
    for (const [, key, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) {
      env[key!] = value!.replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  return env;
}

function execForm(stage: Instruction[], keyword: string): string[] | undefined {
  const last = stage.filter((i) => i.keyword === keyword).at(-1);
  return last ? (JSON.parse(last.args) as string[]) : undefined;
}

function buildOf(name: string): { context: string; dockerfile: string } {
  const build = services[name]?.build;
  if (build === undefined) throw new Error(`service ${name} has no build section`);
  const spec = typeof build === 'string' ? { context: build } : build;
  const context = path.resolve(root, spec.context ?? '.');
  return { context, dockerfile: path.resolve(context, spec.dockerfile ?? 'Dockerfile') };
}

const dockerfilePath = path.join(root, 'Dockerfile');
const stages = dockerfileStages(fs.readFileSync(dockerfilePath, 'utf8'));
const finalStage = stages.at(-1) ?? [];
const imageEnv = envOf(finalStage);

/** What the process in the container sees: image ENV, overridden by compose. */
const effectiveEnv = (name: string): Env => ({ ...imageEnv, ...composeEnv(name) });

/** The typo check: names the compose file sets that FlowDesk does not read. */
const unknownSettings = (env: Env): string[] => Object.keys(env).filter((key) => !(key in SETTINGS));

describe('docker-compose.yml', () => {
  it('has the platform services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'mongodb', 'api', 'worker']));
  });

  it('pins every pulled image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[^:\s]+:(?!latest$)[\w.-]+$/) });
    }
  });

  it.each(FLOWDESK_ROLES)('%s builds from this repository\'s Dockerfile and runs its role', (name) => {
    const { context, dockerfile } = buildOf(name);
    expect(context).toBe(root);
    expect(dockerfile).toBe(dockerfilePath);
    expect(fs.existsSync(dockerfile)).toBe(true);
    expect(commandOf(name)).toEqual([name]);
  });

  it('runs the API and the worker from one image', () => {
    expect(services.api!.image).toBeDefined();
    expect(services.worker!.image).toBe(services.api!.image);
    expect(buildOf('worker')).toEqual(buildOf('api'));
  });

  it.each(FLOWDESK_ROLES)('%s sets only variables FlowDesk reads (no typos)', (name) => {
    expect(Object.keys(composeEnv(name)).length).toBeGreaterThan(0);
    expect(unknownSettings(composeEnv(name))).toEqual([]);
  });

  it.each(FLOWDESK_ROLES)('%s configuration passes loadConfig and uses external Temporal and MongoDB', (name) => {
    const env = effectiveEnv(name);
    const config = loadConfig(env, IMAGE_WORKDIR);
    // Both set: FlowDesk starts no embedded Temporal or FerretDB in the container.
    expect(config.TEMPORAL_ADDRESS).toBeTruthy();
    expect(config.MONGODB_URI).toBeTruthy();
    expect(config.TEMPORAL_ADDRESS).toBe(env.TEMPORAL_ADDRESS);
    expect(config.MONGODB_URI).toBe(env.MONGODB_URI);
  });

  it.each(FLOWDESK_ROLES)('%s reaches Temporal and MongoDB through their compose services', (name) => {
    const config = loadConfig(effectiveEnv(name), IMAGE_WORKDIR);

    const [temporalHost, temporalPort] = config.TEMPORAL_ADDRESS!.split(':');
    expect(temporalHost).toBe('temporal');
    expect(services[temporalHost!]?.image).toMatch(/^temporalio\/(auto-setup|server):/);
    // The Temporal frontend listens on 7233 unless the server is told otherwise.
    expect(Number(temporalPort)).toBe(Number(composeEnv(temporalHost!).FRONTEND_GRPC_PORT ?? 7233));

    const mongo = new URL(config.MONGODB_URI!);
    expect(mongo.protocol).toBe('mongodb:');
    expect(mongo.hostname).toBe('mongodb');
    expect(services[mongo.hostname]?.image).toMatch(/^mongo:/);
    expect(Number(mongo.port || 27017)).toBe(27017);
    expect(commandOf(mongo.hostname).join(' ')).not.toMatch(/--port/);
  });

  it('gives the API and the worker the same namespace, task queue and database', () => {
    const [api, worker] = FLOWDESK_ROLES.map((name) => loadConfig(effectiveEnv(name), IMAGE_WORKDIR));
    for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'FLOWDESK_TASK_QUEUE', 'MONGODB_URI', 'MONGODB_DATABASE'] as const) {
      expect({ key, value: worker![key] }).toEqual({ key, value: api![key] });
    }
  });

  it('uses the namespace Temporal auto-setup registers, and the Temporal UI watches the same server', () => {
    const api = loadConfig(effectiveEnv('api'), IMAGE_WORKDIR);
    expect(composeEnv('temporal').DEFAULT_NAMESPACE ?? 'default').toBe(api.TEMPORAL_NAMESPACE);
    expect(composeEnv('temporal-ui').TEMPORAL_ADDRESS).toBe(api.TEMPORAL_ADDRESS);
  });

  it('wires Temporal to PostgreSQL with matching credentials', () => {
    const temporal = composeEnv('temporal');
    const postgres = composeEnv('postgresql');
    expect(temporal.DB).toBe('postgres12');
    expect(temporal.POSTGRES_SEEDS).toBe('postgresql');
    expect(temporal.DB_PORT).toBe('5432');
    expect(temporal.POSTGRES_USER).toBe(postgres.POSTGRES_USER);
    expect(temporal.POSTGRES_PWD).toBe(postgres.POSTGRES_PASSWORD);
    expect(dependsOn('temporal')).toEqual({ postgresql: 'service_healthy' });
  });

  it.each(FLOWDESK_ROLES)('%s starts after Temporal and MongoDB', (name) => {
    expect(dependsOn(name)).toEqual(expect.objectContaining({ temporal: expect.any(String), mongodb: expect.any(String) }));
  });

  it('waits only on health checks that exist', () => {
    for (const name of Object.keys(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        expect(services[dep]).toBeDefined();
        if (condition === 'service_healthy') {
          expect({ dep, healthcheck: services[dep]!.healthcheck?.test }).toEqual({ dep, healthcheck: expect.anything() });
          expect(services[dep]!.healthcheck?.disable).not.toBe(true);
        }
      }
    }
    expect(JSON.stringify(services.mongodb!.healthcheck?.test)).toMatch(/mongosh.*ping/);
  });

  it('keeps the databases on named volumes', () => {
    const mounts = (name: string) => (services[name]?.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));
    for (const [name, dataDir] of [['postgresql', '/var/lib/postgresql/data'], ['mongodb', '/data/db']] as const) {
      const mount = mounts(name).find(([, target]) => target === dataDir);
      expect({ name, mount }).toEqual({ name, mount: expect.anything() });
      expect(Object.keys(compose.volumes ?? {})).toContain(mount![0]);
    }
  });

  it('publishes the API on FLOWDESK_PORT', () => {
    const { FLOWDESK_PORT, FLOWDESK_HOST } = loadConfig(effectiveEnv('api'), IMAGE_WORKDIR);
    expect(FLOWDESK_HOST).toBe('0.0.0.0');
    expect(publishedPorts('api').has(FLOWDESK_PORT)).toBe(true);
    expect(finalStage.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((p) => Number(p.replace(/\/tcp$/, '')))).toContain(
      FLOWDESK_PORT,
    );
  });

  it('publishes the Temporal web UI on 8233', () => {
    expect(publishedPorts('temporal-ui').get(8080)).toBe(8233);
  });

  describe('the checks can fail', () => {
    it('loadConfig rejects an invalid value and names the variable', () => {
      const broken = { ...effectiveEnv('api'), FLOWDESK_PORT: 'http' };
      expect(() => loadConfig(broken, IMAGE_WORKDIR)).toThrow(ConfigError);
      expect(() => loadConfig(broken, IMAGE_WORKDIR)).toThrow(/FLOWDESK_PORT="http"/);
    });

    it('loadConfig rejects a Temporal URL where host:port is expected', () => {
      const broken = { ...effectiveEnv('worker'), TEMPORAL_ADDRESS: 'http://temporal:7233' };
      expect(() => loadConfig(broken, IMAGE_WORKDIR)).toThrow(/TEMPORAL_ADDRESS="http:\/\/temporal:7233"/);
    });

    it('a misspelt variable name is reported', () => {
      const { TEMPORAL_ADDRESS, ...rest } = composeEnv('worker');
      const typo = { ...rest, TEMPORAL_ADRESS: TEMPORAL_ADDRESS! };
      expect(unknownSettings(typo)).toEqual(['TEMPORAL_ADRESS']);
      // Without the check the typo would silently start an embedded Temporal server.
      expect(loadConfig(typo, IMAGE_WORKDIR).TEMPORAL_ADDRESS).toBeUndefined();
    });
  });
});

describe('Dockerfile', () => {
  it('builds in stages on node:20-bookworm-slim', () => {
    const stageNames = stages.map((stage) => /\bAS\s+(\S+)/i.exec(stage[0]!.args)?.[1]);
    for (const stage of stages) {
      const base = stage[0]!.args.split(/\s+/).find((word) => !word.startsWith('--'));
      if (!stageNames.includes(base)) expect(base).toBe('node:20-bookworm-slim');
    }
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = (stage: Instruction[]) => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runs(stages[0]!)).toMatch(/npm install\b/);
    expect(runs(stages[0]!)).toMatch(/npm run build\b/);
    expect(runs(finalStage)).toMatch(/npm install\b.*--omit=dev/);
    expect(runs(finalStage)).not.toMatch(/npm run build\b/);
  });

  it('ships the compiled code, the UI and the catalog', () => {
    const copies = finalStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const dir of ['dist', 'ui/dist', 'catalog']) {
      expect(copies).toContainEqual(expect.stringMatching(new RegExp(`^--from=\\S+\\s+/app/${dir}\\s+\\./${dir}$`)));
    }
  });

  it('runs the compiled CLI as a non-root user in production mode', () => {
    expect(finalStage.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args).toBe(IMAGE_WORKDIR);
    // dist/bin/cli.js is what `npm run build` (tsconfig.build.json, outDir dist) makes of bin/cli.ts.
    expect(fs.existsSync(path.join(root, 'bin', 'cli.ts'))).toBe(true);
    expect(execForm(finalStage, 'ENTRYPOINT')).toEqual(['node', 'dist/bin/cli.js']);
    expect(execForm(finalStage, 'CMD')).toEqual(['api']);
    const user = finalStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(imageEnv).toMatchObject({ NODE_ENV: 'production', FLOWDESK_HOST: '0.0.0.0' });
    expect(unknownSettings(Object.fromEntries(Object.entries(imageEnv).filter(([key]) => key !== 'NODE_ENV')))).toEqual([]);
  });

  it('checks health on /healthz', () => {
    expect(finalStage.find((i) => i.keyword === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
  });
});
