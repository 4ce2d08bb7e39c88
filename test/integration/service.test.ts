import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect, freePort } from '../../runtime/ports';
import { EmbeddedService, type ServiceSpec } from '../../runtime/service';

// How FlowDesk runs the embedded servers, shown with a stand-in server process.
const server = path.join(__dirname, '../fixtures/service/tcpServer.js');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-service-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function spec(mode: string, overrides: Partial<ServiceSpec> = {}): Promise<ServiceSpec> {
  const port = await freePort();
  return {
    name: 'stand-in',
    command: process.execPath,
    args: [server, String(port), mode],
    host: '127.0.0.1',
    port,
    portSetting: 'TEST_PORT',
    logFile: path.join(dir, 'logs', 'stand-in.log'),
    runDir: path.join(dir, 'run'),
    timeoutMs: 10_000,
    ...overrides,
  };
}

describe('an embedded server', () => {
  it('starts, is reachable, and stops leaving nothing behind', async () => {
    const s = await spec('300');
    const service = await EmbeddedService.start(s);
    expect(await canConnect('127.0.0.1', s.port)).toBe(true);
    expect(fs.existsSync(path.join(s.runDir, 'stand-in.pid'))).toBe(true);
    await service.stop();
    expect(await canConnect('127.0.0.1', s.port)).toBe(false);
    expect(fs.existsSync(path.join(s.runDir, 'stand-in.pid'))).toBe(false);
  });

  it('that exits during start-up is reported with its exit code, the tail of its log and the log path', async () => {
    const s = await spec('fail');
    await expect(EmbeddedService.start(s)).rejects.toThrow(
      new RegExp(`stand-in exited during start-up \\(code 3\\)\\.\\n.*fatal: cannot open the data directory.*\\nFull log: ${s.logFile.replace(/[/.]/g, '\\$&')}`, 's'),
    );
  });

  it('that does not become ready in time is stopped and reported with its log path', async () => {
    const s = await spec('60000', { timeoutMs: 1500 });
    await expect(EmbeddedService.start(s)).rejects.toThrow(`stand-in did not become ready within 1.5 s (port not open). Its log: ${s.logFile}`);
  });

  it('does not outlive a FlowDesk process that is killed hard', async () => {
    const port = await freePort();
    const parent = spawn(process.execPath, [path.join(__dirname, '../fixtures/service/startAndHang.js'), dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      parent.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
      parent.once('exit', (code) => reject(new Error(`the parent exited early (${code})`)));
    });
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    parent.kill('SIGKILL');
    // The watchdog polls every 2 s.
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      await sleep(250);
      alive = await canConnect('127.0.0.1', port);
    }
    expect(alive).toBe(false);
  });

  it('ends a server a crashed run left behind before starting again', async () => {
    const s = await spec('0');
    const first = spawn(s.command, s.args, { detached: true, stdio: 'ignore' });
    fs.mkdirSync(s.runDir, { recursive: true });
    fs.writeFileSync(path.join(s.runDir, 'stand-in.pid'), `${first.pid}\n${s.command}\n`);
    for (let i = 0; i < 40 && !(await canConnect('127.0.0.1', s.port)); i++) await sleep(100);
    const ended = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
    // Starting succeeds only because the leftover was ended: it held the port.
    const service = await EmbeddedService.start(s);
    expect(await ended).toBe('SIGTERM');
    await service.stop();
  });
});
