import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../../runtime/config';
import { MasterKey, MasterKeyError, masterKeySource, parseMasterKey } from '../../runtime/masterKey';

const bytes = randomBytes(32);
const kid = createHash('sha256').update(bytes).digest('hex').slice(0, 8);

describe('master key', () => {
  it.each([
    ['base64', bytes.toString('base64')],
    ['base64 without padding', bytes.toString('base64').replace(/=+$/, '')],
    ['URL-safe base64', bytes.toString('base64url')],
    ['hex', bytes.toString('hex')],
    ['upper-case hex with a trailing newline', `${bytes.toString('hex').toUpperCase()}\n`],
  ])('reads %s, and its id is the first 8 hex digits of its SHA-256', (_form, text) => {
    const key = parseMasterKey(text);
    expect(key.bytes.equals(bytes)).toBe(true);
    expect(key.kid).toBe(kid);
  });

  it.each([
    ['16 bytes of base64', randomBytes(16).toString('base64')],
    ['31 bytes of hex', randomBytes(31).toString('hex')],
    ['48 bytes of base64', randomBytes(48).toString('base64')],
    ['a pass phrase', 'correct horse battery staple'],
    ['nothing', ''],
  ])('refuses %s, saying what a key looks like', (_what, text) => {
    expect(() => parseMasterKey(text)).toThrow(MasterKeyError);
    expect(() => parseMasterKey(text)).toThrow(/32 random bytes written as 64 hex digits or 44 base64 characters/);
  });

  it('never shows its bytes when logged or inspected', () => {
    const key = new MasterKey(bytes);
    for (const shown of [JSON.stringify({ key }), inspect(key, { showHidden: true })]) {
      expect(shown).toContain(kid);
      expect(shown).not.toContain(bytes.toString('hex'));
      expect(shown).not.toContain(bytes.toString('base64'));
      expect(shown).not.toMatch(new RegExp(`\\b${bytes[0]}, ${bytes[1]}, ${bytes[2]}\\b`));
    }
  });

  it('is validated as FLOWDESK_MASTER_KEY, and a wrong value is not repeated in the error', () => {
    expect(loadConfig({ FLOWDESK_MASTER_KEY: bytes.toString('base64') }).FLOWDESK_MASTER_KEY).toBe(bytes.toString('base64'));
    const wrong = 'not-a-key-but-maybe-a-password';
    expect(() => loadConfig({ FLOWDESK_MASTER_KEY: wrong })).toThrow(ConfigError);
    expect(() => loadConfig({ FLOWDESK_MASTER_KEY: wrong })).toThrow(/FLOWDESK_MASTER_KEY=\(hidden\): must be 32 random bytes/);
    expect(() => loadConfig({ FLOWDESK_MASTER_KEY: wrong })).not.toThrow(new RegExp(wrong));
  });
});

describe('master key source', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-key-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('uses FLOWDESK_MASTER_KEY when set, and writes no file', async () => {
    const warnings: string[] = [];
    const key = await masterKeySource(bytes.toString('hex'), dataDir, { warn: (m) => warnings.push(m) })();
    expect(key.kid).toBe(kid);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('otherwise makes a development key on first use, readable only by its owner, and warns', async () => {
    const warnings: string[] = [];
    const source = masterKeySource(undefined, path.join(dataDir, 'data'), { warn: (m) => warnings.push(m) });
    const file = path.join(dataDir, 'data', 'master.key');
    expect(fs.existsSync(file)).toBe(false);
    const key = await source();
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(parseMasterKey(fs.readFileSync(file, 'utf8')).kid).toBe(key.kid);
    expect(await source()).toBe(key);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`development master key ${key.kid} just created in .*master\\.key; production must set FLOWDESK_MASTER_KEY`))]);
    expect(fs.readdirSync(path.join(dataDir, 'data'))).toEqual(['master.key']);
  });

  it('keeps the development key across restarts: every later source reads the first one\u2019s key', async () => {
    const quiet = { warn: () => undefined };
    const [a, b] = await Promise.all([masterKeySource(undefined, dataDir, quiet)(), masterKeySource(undefined, dataDir, quiet)()]);
    const later = await masterKeySource(undefined, dataDir, quiet)();
    expect(new Set([a.kid, b.kid, later.kid]).size).toBe(1);
  });

  it('says what to do when the key file is not a key', async () => {
    fs.writeFileSync(path.join(dataDir, 'master.key'), 'garbage');
    await expect(masterKeySource(undefined, dataDir, { warn: () => undefined })()).rejects.toThrow(/master\.key holds no usable master key: must be 32 random bytes/);
  });
});
