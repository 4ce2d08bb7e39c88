import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../runtime/ports';
import { projectRoot } from '../../runtime/paths';
import { hasExited, tail } from '../../test/setup/daemon';

/**
 * FlowDesk started for a bench the way a user starts it on one machine: `flowdesk start`
 * (bin/cli.ts, with its embedded Temporal and FerretDB) in a child process with a fresh
 * data directory and free ports, the first administrator made with `flowdesk user add
 * --admin`, signed in through the API and given an API token. Not `npm start` itself,
 * which also builds the web UI when its sources changed: a bench has no use for it.
 */
export interface FlowDeskProcess {
  baseUrl: string;
  /** The data directory (logs in logs/, the CLI's own output in flowdesk.log); removed by stop(). */
  dir: string;
  /** An API call with the admin's token; a status of 400 or more throws with the problem's detail. */
  call<T = unknown>(method: string, url: string, body?: unknown): Promise<T>;
  /** SIGTERM and wait for the CLI to stop its servers (SIGKILL to its group after a minute); removes the directory. */
  stop(): Promise<void>;
}

const ADMIN = 'bench';
const READY_TIMEOUT_MS = 10 * 60_000;
const STOP_GRACE_MS = 60_000;

/** `env`: settings on top of the environment, e.g. FLOWDESK_SSH_MAX_HANDSHAKES. */
export async function startFlowDeskProcess(options: { env?: Record<string, string>; say?: (line: string) => void } = {}): Promise<FlowDeskProcess> {
  const say = options.say ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-bench-stack-'));
  const [api, temporal, temporalUi, store] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOWDESK_DATA_DIR: dir,
    FLOWDESK_PORT: String(api),
    FLOWDESK_TEMPORAL_PORT: String(temporal),
    FLOWDESK_TEMPORAL_UI_PORT: String(temporalUi),
    FLOWDESK_MONGO_PORT: String(store),
    FLOWDESK_LOG_LEVEL: 'warn',
    ...options.env,
  };
  // Its own embedded servers, whatever this shell points at.
  delete env.TEMPORAL_ADDRESS;
  delete env.MONGODB_URI;
  const logFile = path.join(dir, 'flowdesk.log');
  say(`starting FlowDesk (flowdesk start) in ${dir}, API on 127.0.0.1:${api}`);
  const child = cli(['start'], env, logFile);
  const stop = () => stopCli(child, dir);
  try {
    const baseUrl = `http://127.0.0.1:${api}`;
    await untilReady(baseUrl, child, logFile);
    const password = `Pw-${randomBytes(12).toString('hex')}`;
    const added = spawnSync(process.execPath, ['--import', 'tsx', cliPath(), 'user', 'add', ADMIN, '--admin'], { cwd: projectRoot(), env, input: `${password}\n`, encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`flowdesk user add failed (${added.status}): ${added.stdout}${added.stderr}`);
    const bearer = await apiToken(baseUrl, password);
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${baseUrl}/api/v1${url}`, { method, headers: { authorization: bearer, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const answer = (await res.json().catch(() => ({}))) as T & { detail?: string; title?: string };
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${answer.detail ?? answer.title ?? ''}`);
      return answer;
    };
    say('FlowDesk is ready');
    return { baseUrl, dir, call, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const cliPath = () => path.join(projectRoot(), 'bin', 'cli.ts');

/** The CLI in its own process group, output in `logFile`; BENCH_FLOWDESK_CPU_PROF=<dir>: a V8 CPU profile of it there, written when it stops. */
function cli(args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const profile = env.BENCH_FLOWDESK_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(env.BENCH_FLOWDESK_CPU_PROF)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', cliPath(), ...args], { cwd: projectRoot(), env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  return child;
}

async function untilReady(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`flowdesk start exited (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    const ready = await fetch(`${baseUrl}/readyz`).then((res) => res.ok, () => false);
    if (ready) return;
    await sleep(500);
  }
  throw new Error(`flowdesk start was not ready within ${READY_TIMEOUT_MS / 60_000} minutes:\n${tail(logFile)}`);
}

/** Signs in as the admin (a session) and makes an API token with all of the admin's permissions. */
async function apiToken(baseUrl: string, password: string): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ADMIN, password }) });
  if (!login.ok) throw new Error(`signing in as ${ADMIN} failed: ${login.status} ${await login.text()}`);
  const me = (await login.json()) as { permissions: string[]; csrfToken: string };
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const made = await fetch(`${baseUrl}/api/v1/me/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': me.csrfToken },
    body: JSON.stringify({ name: 'ssh-fanout bench', scopes: me.permissions, expiresInDays: 1 }),
  });
  if (made.status !== 201) throw new Error(`making an API token failed: ${made.status} ${await made.text()}`);
  return `Bearer ${((await made.json()) as { token: string }).token}`;
}

async function stopCli(child: ChildProcess, dir: string): Promise<void> {
  if (!hasExited(child)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // Its servers run in process groups of their own and end with it (runtime/service.ts).
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
