import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}={0,1}$/;
export const DEVELOPMENT_KEY_FILE = 'master.key';

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

/**
 * The AES-256 key that seals credential secrets. Its id (the first 8 hex digits of the
 * key's SHA-256) is stored with each sealed secret, so a wrong key is named, not guessed.
 * The bytes live in a private field and `toJSON` shows only the id, so logging the key
 * object by mistake does not print it.
 */
export class MasterKey {
  readonly kid: string;
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    if (bytes.length !== KEY_BYTES) throw new MasterKeyError(`a master key is ${KEY_BYTES} bytes; this one is ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.kid = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): { kid: string } {
    return { kid: this.kid };
  }
}

/** Reads a key written as 64 hex digits or as base64 (standard or URL-safe) of 32 bytes. The message never repeats the text. */
export function parseMasterKey(text: string): MasterKey {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return new MasterKey(Buffer.from(trimmed, 'hex'));
  if (BASE64_KEY.test(trimmed)) return new MasterKey(Buffer.from(trimmed, 'base64'));
  throw new MasterKeyError(
    `must be ${KEY_BYTES} random bytes written as 64 hex digits or 44 base64 characters (got ${trimmed.length} characters); make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
  );
}

/** Gives the master key when first needed; the same key every call. */
export type MasterKeySource = () => Promise<MasterKey>;

/**
 * FLOWDESK_MASTER_KEY when it is set. Otherwise, for development, a key kept in
 * `<dataDir>/master.key`, made on first use; a warning says production must set the
 * variable, since a key lost with a data directory makes every stored credential unreadable.
 */
export function masterKeySource(configured: string | undefined, dataDir: string, log: { warn(message: string): void }): MasterKeySource {
  if (configured !== undefined) {
    const key = parseMasterKey(configured);
    return async () => key;
  }
  let loading: Promise<MasterKey> | undefined;
  return () =>
    (loading ??= developmentKey(path.join(dataDir, DEVELOPMENT_KEY_FILE), log).catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

async function developmentKey(file: string, log: { warn(message: string): void }): Promise<MasterKey> {
  const created = createKeyFile(file);
  const key = readKeyFile(file);
  log.warn(`credentials are sealed with the development master key ${key.kid} ${created ? 'just created in' : 'from'} ${file}; production must set FLOWDESK_MASTER_KEY (see docs/credentials.md)`);
  return key;
}

/**
 * Writes a new key unless one exists. The key is written to a temporary file and then
 * hard-linked into place, which fails if the file exists: an API and a worker starting
 * together never see a half-written key, and the first one's key wins.
 */
function createKeyFile(file: string): boolean {
  if (fs.existsSync(file)) return false;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new MasterKeyError(`cannot create the development master key ${file} (${(error as Error).message}); set FLOWDESK_MASTER_KEY instead`);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readKeyFile(file: string): MasterKey {
  try {
    return parseMasterKey(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MasterKeyError(`${file} holds no usable master key: ${(error as Error).message}`);
  }
}
