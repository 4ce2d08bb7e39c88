import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GoTool, SourcePatch } from './versions';

const run = promisify(execFile);

export type Say = (message: string) => void;

export interface ResolvedTool {
  path: string;
  /** How it was found, for the start-up banner. */
  origin: 'PATH' | 'cache' | 'built';
}

export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'flowdesk', 'tools');
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function cachedToolPath(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
  const patched = (tool.patches ?? []).map((p) => `+${p.id}`).join('');
  return path.join(toolCacheDir(env), `${tool.name}-${tool.version}${patched}`, tool.name);
}

/**
 * Finds `tool` on PATH (any of `pathNames`), then in the per-user cache, and otherwise
 * builds it there from its pinned Go module. Throws with the options when it cannot.
 */
export async function resolveTool(tool: GoTool, say: Say, pathNames: string[] = [tool.name]): Promise<ResolvedTool> {
  for (const name of pathNames) {
    const onPath = findOnPath(name);
    if (onPath) return { path: onPath, origin: 'PATH' };
  }
  const cached = cachedToolPath(tool);
  if (fs.existsSync(cached)) return { path: cached, origin: 'cache' };
  const go = findOnPath('go');
  if (!go) {
    throw new Error(
      `no ${tool.name} binary found and Go is not installed to build it. Either install Go (https://go.dev/doc/install, ` +
        `or 'apt-get install golang') and run again, put a '${pathNames.join("' or '")}' binary on PATH, ` +
        `or point FlowDesk at an existing service (see README, "External services").`,
    );
  }
  await buildTool(go, tool, cached, say);
  return { path: cached, origin: 'built' };
}

async function buildTool(go: string, tool: GoTool, target: string, say: Say): Promise<void> {
  const started = Date.now();
  say(`building ${tool.name} ${tool.version} from ${tool.module} with Go into ${path.dirname(target)} (first run only; takes several minutes)`);
  const ticker = setInterval(() => say(`  still building ${tool.name}… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `flowdesk-build-${tool.name}-`));
  try {
    const { stdout } = await run(go, ['mod', 'download', '-json', `${tool.module}@${tool.version}`], { cwd: work, maxBuffer: 1 << 20 });
    const source = path.join(work, 'src');
    fs.cpSync((JSON.parse(stdout) as { Dir: string }).Dir, source, { recursive: true });
    makeWritable(source);
    if (tool.versionFile) fs.writeFileSync(path.join(source, tool.versionFile), `${tool.version}\n`);
    for (const [file, text] of Object.entries(tool.generatedFiles ?? {})) {
      fs.mkdirSync(path.dirname(path.join(source, file)), { recursive: true });
      fs.writeFileSync(path.join(source, file), text);
    }
    for (const patch of tool.patches ?? []) applyPatch(source, patch);
    const partial = path.join(work, tool.name);
    await goBuild(go, source, tool.pkg, partial);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Rename into place so an interrupted build never leaves a half-written binary in the cache.
    fs.copyFileSync(partial, `${target}.partial`);
    fs.chmodSync(`${target}.partial`, 0o755);
    fs.renameSync(`${target}.partial`, target);
    say(`built ${tool.name} ${tool.version} in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    throw new Error(`building ${tool.name} ${tool.version} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearInterval(ticker);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function applyPatch(source: string, patch: SourcePatch): void {
  const file = path.join(source, patch.file);
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(patch.find);
  if (at < 0 || text.indexOf(patch.find, at + 1) >= 0) throw new Error(`patch ${patch.id}: expected exactly one ${JSON.stringify(patch.find)} in ${patch.file}`);
  fs.writeFileSync(file, text.replace(patch.find, () => patch.replace));
}

function goBuild(go: string, cwd: string, pkg: string, output: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['build', '-trimpath', '-o', output, pkg], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go build exited with ${code}:\n${stderr}`))));
  });
}

function makeWritable(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    fs.chmodSync(full, entry.isDirectory() ? 0o755 : 0o644);
    if (entry.isDirectory()) makeWritable(full);
  }
  fs.chmodSync(dir, 0o755);
}
