#!/usr/bin/env node
// Entry point that works on a fresh clone: installs npm dependencies when missing or
// stale, builds the UI when needed, then runs the TypeScript CLI (bin/cli.ts) or Jest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (message) => process.stdout.write(`[flowdesk] ${message}\n`);
const [command, ...rest] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`[flowdesk] ${message}\n`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js 20.19 or newer is needed, this is ${process.version}. Install a newer Node.js and run again.`);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : mtime(full));
  }
  return newest;
}

function run(cmd, args, what) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal}); see the output above.`);
}

function ensureDependencies() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(installed) >= mtime(path.join(root, 'package-lock.json'))) return;
  say('installing npm dependencies (first run, or package-lock.json changed; takes a minute or two)…');
  // `npm install`, not `npm ci`: the lock follows package-lock.json all the same, but
  // `npm ci` refuses a lock that lacks optional packages for other platforms, which
  // a registry mirror may not serve.
  run('npm', ['install', '--no-audit', '--no-fund'], 'npm install');
}

function ensureUi() {
  const built = path.join(root, 'ui', 'dist', 'index.html');
  // The UI shares domain/ with the server (incident shape, priority matrix).
  const sources = Math.max(newestUnder(path.join(root, 'ui', 'src')), newestUnder(path.join(root, 'domain')));
  if (mtime(built) >= sources) return;
  say('building the web UI…');
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'ui', '--logLevel', 'warn'], 'building the UI');
}

checkNode();
ensureDependencies();
if (command === 'install') {
  // Dependencies are in place; nothing else to do (used by CI before lint).
} else if (command === 'test') {
  ensureUi();
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const result = spawnSync(process.execPath, [jest, ...rest], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
} else {
  if (command === 'start' || command === 'api') ensureUi();
  const require = createRequire(import.meta.url);
  require('tsx/cjs/api').register();
  process.argv = [process.argv[0], path.join(root, 'bin', 'cli.ts'), command ?? '', ...rest];
  require(path.join(root, 'bin', 'cli.ts'));
}
