/**
 * An alert's two keys, and the digests they are made of.
 *
 * - The **native key** is the sender's own name for the alert, kept verbatim: the
 *   Alertmanager fingerprint, the Zabbix problem's event id, the PagerDuty dedup_key. It is
 *   what later messages from that sender refer to (a PagerDuty resolve names its dedup_key, a
 *   Zabbix recovery carries its problem's event id), what the sender's UI shows, and what a
 *   person pastes into a search. Rewriting it would lose the way back to the sender.
 * - The **fingerprint** is FlowDesk's key: SHA-256 over source, sender and native key. Native
 *   keys are unique only within one sender (every Zabbix server numbers its events from 1,
 *   and nothing stops a PagerDuty-style client from using the key 'disk-full'), so dedup,
 *   the store and the group workflows use the fingerprint, which never collides across
 *   senders, and has one fixed form whatever the sender's key looks like.
 *
 * A sender that gives no key gets one from the alert's labels, computed exactly as
 * Alertmanager computes its fingerprints (FNV-1a 64 over the sorted label pairs), so an
 * Alertmanager payload from an old version or a hand-written client that omits
 * `fingerprint` still gets the key Alertmanager itself would show.
 *
 * The algorithms are fixed here rather than passed in (as the audit chain's hash is) because
 * a fingerprint is stored and compared for ever: two callers with different hash functions
 * would silently stop deduplicating. SHA-256 is implemented in plain TypeScript because
 * domain/ imports no node modules and workflows may call this; tests check it against
 * node:crypto.
 */

import { canonicalEncode } from '../audit';
import type { AlertSource } from './alert';

/** FlowDesk's key for the alert `nativeKey` of `sender` at `source`. */
export function alertFingerprint(source: AlertSource, sender: string, nativeKey: string): string {
  // A JSON array, not a joined string: no separator can appear inside a part and shift it.
  return sha256Hex(JSON.stringify([source, sender, nativeKey]));
}

/**
 * A native key for a sender that gives none: Alertmanager's fingerprint of the label set,
 * as 16 hex digits (prometheus/common model.labelSetToFingerprint and Fingerprint.String).
 * Label names sort by their UTF-8 bytes, as Go's sort.Strings does.
 */
export function labelsKey(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort(compareUtf8);
  let hash = FNV64_OFFSET;
  for (const name of names) {
    hash = fnv1a64(hash, utf8(name));
    hash = fnv1a64(hash, SEPARATOR);
    hash = fnv1a64(hash, utf8(labels[name]!));
    hash = fnv1a64(hash, SEPARATOR);
  }
  return hex32(hash.hi) + hex32(hash.lo);
}

/**
 * The digest of a request body (or of one event in it): SHA-256 of its canonical JSON, so
 * key order and whitespace do not matter. Equal content, equal digest: the store keeps the
 * raw body once under it, and a re-delivered body is recognized as one it already applied.
 */
export function payloadDigest(payload: unknown): string {
  return sha256Hex(canonicalEncode(payload));
}

// --- FNV-1a 64, in two 32-bit halves (numbers, not BigInt: this runs per alert on the hot path).

interface U64 {
  hi: number;
  lo: number;
}

/** 14695981039346656037 */
const FNV64_OFFSET: U64 = { hi: 0xcbf29ce4, lo: 0x84222325 };
/** Prometheus' separator: a byte that never occurs in UTF-8. */
const SEPARATOR = new Uint8Array([0xff]);
const FNV64_PRIME_LOW = 0x1b3; // the prime is 2^40 + 0x1b3

function fnv1a64(start: U64, bytes: Uint8Array): U64 {
  let { hi, lo } = start;
  for (const byte of bytes) {
    lo = (lo ^ byte) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64, with every partial product below 2^53.
    const low = lo * FNV64_PRIME_LOW;
    const carry = Math.floor(low / 0x100000000);
    hi = (hi * FNV64_PRIME_LOW + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return { hi, lo };
}

// --- SHA-256 (FIPS 180-4).

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
// Int32Array, not Uint32Array: words above 2^31 would otherwise leave V8's small-integer
// fast path, which halves the speed. The bits are the same; hex32 reads them unsigned.
const ROUND = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  const message = padded(utf8(text));
  const state = Int32Array.from(INITIAL);
  const schedule = new Int32Array(64);
  for (let offset = 0; offset < message.length; offset += 64) {
    expand(message, offset, schedule);
    compress(state, schedule);
  }
  return Array.from(state, hex32).join('');
}

/** The message, a 1 bit, zeros, and the bit length as 64 bits, to a multiple of 64 bytes. */
function padded(bytes: Uint8Array): Uint8Array {
  const length = Math.ceil((bytes.length + 9) / 64) * 64;
  const message = new Uint8Array(length);
  message.set(bytes);
  message[bytes.length] = 0x80;
  const view = new DataView(message.buffer);
  const bits = bytes.length * 8;
  view.setUint32(length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(length - 4, bits >>> 0);
  return message;
}

/** The 64-word message schedule of the block at `offset` (big-endian words). */
function expand(message: Uint8Array, offset: number, schedule: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const at = offset + i * 4;
    schedule[i] = (message[at] << 24) | (message[at + 1] << 16) | (message[at + 2] << 8) | message[at + 3];
  }
  for (let i = 16; i < 64; i++) {
    const w15 = schedule[i - 15];
    const w2 = schedule[i - 2];
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    schedule[i] = (schedule[i - 16] + s0 + schedule[i - 7] + s1) | 0;
  }
}

function compress(state: Int32Array, schedule: Int32Array): void {
  let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + ROUND[i] + schedule[i]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

function rotr(value: number, bits: number): number {
  return (value >>> bits) | (value << (32 - bits));
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Code point order, which is UTF-8 byte order (UTF-16 code unit order is not, past U+FFFF). */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}
