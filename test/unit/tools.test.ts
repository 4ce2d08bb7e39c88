import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPatch, cachedToolPath, resolveTool } from '../../runtime/tools';
import type { GoTool } from '../../runtime/versions';

// Resolution order for embedded binaries: PATH, then the per-user cache, then a Go build.
const tool: GoTool = { name: 'fakeserver', module: 'example.com/fakeserver', version: 'v9.9.9', pkg: './cmd/fakeserver' };
let dir: string;
const saved = { PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-tools-'));
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
  process.env.PATH = path.join(dir, 'bin');
});
afterEach(() => {
  process.env.PATH = saved.PATH;
  process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('resolving an embedded server binary', () => {
  it('keys the cache by name and version', () => {
    expect(cachedToolPath(tool)).toBe(path.join(dir, 'cache', 'flowdesk', 'tools', 'fakeserver-v9.9.9', 'fakeserver'));
  });

  it('names a patched build apart, so adding a fix rebuilds instead of reusing the unpatched binary', () => {
    const patched = { ...tool, patches: [{ id: 'fix-a', file: 'x.go', find: 'a', replace: 'b' }] };
    expect(cachedToolPath(patched)).toBe(path.join(dir, 'cache', 'flowdesk', 'tools', 'fakeserver-v9.9.9+fix-a', 'fakeserver'));
  });

  it('prefers PATH (any of the accepted names) over the cache', async () => {
    executable(cachedToolPath(tool));
    const onPath = executable(path.join(dir, 'bin', 'alternative'));
    await expect(resolveTool(tool, () => undefined, ['alternative', 'fakeserver'])).resolves.toEqual({ path: onPath, origin: 'PATH' });
  });

  it('uses the cached build when nothing is on PATH', async () => {
    const cached = executable(cachedToolPath(tool));
    await expect(resolveTool(tool, () => undefined)).resolves.toEqual({ path: cached, origin: 'cache' });
  });

  it('stops with the options when there is no binary and no Go to build one', async () => {
    await expect(resolveTool(tool, () => undefined)).rejects.toThrow(/no fakeserver binary found and Go is not installed.*put a 'fakeserver' binary on PATH.*External services/s);
  });

  it('reports a failed Go build with its output, leaving no half-built binary', async () => {
    // A "go" that fails the way a broken proxy does.
    executable(path.join(dir, 'bin', 'go'));
    fs.writeFileSync(path.join(dir, 'bin', 'go'), '#!/bin/sh\necho "module lookup disabled" >&2\nexit 1\n', { mode: 0o755 });
    const messages: string[] = [];
    await expect(resolveTool(tool, (m) => messages.push(m))).rejects.toThrow(/building fakeserver v9.9.9 failed: .*module lookup disabled/s);
    expect(messages[0]).toMatch(/building fakeserver v9.9.9 from example.com\/fakeserver with Go/);
    expect(fs.existsSync(cachedToolPath(tool))).toBe(false);
  });
});

describe('patching a source tree before the build', () => {
  const patch = { id: 'fix', file: 'pkg/meta.go', find: `ID = Col + "->'$._id'"`, replace: `ID = Col + "->'_id'"` };
  const write = (text: string) => {
    fs.mkdirSync(path.join(dir, 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pkg', 'meta.go'), text);
  };

  it('replaces the one occurrence, taking $ in the replacement literally', () => {
    write(`package meta\nconst ID = Col + "->'$._id'"\n`);
    applyPatch(dir, { ...patch, replace: `ID = "$&$1"` });
    expect(fs.readFileSync(path.join(dir, 'pkg', 'meta.go'), 'utf8')).toBe('package meta\nconst ID = "$&$1"\n');
  });

  it('refuses when the upstream text moved or repeats, rather than building an unpatched binary', () => {
    write('package meta\n');
    expect(() => applyPatch(dir, patch)).toThrow(/patch fix: expected exactly one .* in pkg\/meta.go/);
    write(`${patch.find}\n${patch.find}\n`);
    expect(() => applyPatch(dir, patch)).toThrow(/exactly one/);
  });
});
