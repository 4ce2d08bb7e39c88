/**
 * What a command printed, as a run keeps it: each stream capped at OUTPUT_CAP_BYTES
 * (the first OUTPUT_HEAD_BYTES and the last bytes, with how much was left out between),
 * and secrets masked before anything is stored or shown.
 */

/** Stored per host, step and stream. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** Of the cap, kept from the start; the rest is the end, where errors usually are. */
export const OUTPUT_HEAD_BYTES = 16 * 1024;
export const MASK = '••••••';
/** Shorter values would mask ordinary text ("1", "on"); they are not treated as secrets. */
export const MIN_SECRET_LENGTH = 4;

export interface CappedText {
  text: string;
  /** Bytes the command printed in all. */
  bytes: number;
  /** Bytes left out of `text`. */
  omitted: number;
}

/** Keeps the head and a rolling tail of a stream, so memory stays bounded however much is printed. */
export class OutputCapture {
  private head = '';
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(private readonly capBytes = OUTPUT_CAP_BYTES, private readonly headCapBytes = OUTPUT_HEAD_BYTES) {}

  push(chunk: string): void {
    const size = byteLength(chunk);
    this.total += size;
    if (this.headBytes < this.headCapBytes) {
      const room = this.headCapBytes - this.headBytes;
      const taken = sliceBytes(chunk, room);
      this.head += taken;
      this.headBytes += byteLength(taken);
      chunk = chunk.slice(taken.length);
      if (!chunk) return;
    }
    this.tail.push(chunk);
    this.tailBytes += byteLength(chunk);
    const tailCap = this.capBytes - this.headCapBytes;
    while (this.tailBytes > tailCap && this.tail.length > 1) this.tailBytes -= byteLength(this.tail.shift()!);
  }

  result(): CappedText {
    let tail = this.tail.join('');
    const tailCap = this.capBytes - this.headCapBytes;
    if (byteLength(tail) > tailCap) tail = lastBytes(tail, tailCap);
    const kept = this.headBytes + byteLength(tail);
    const omitted = this.total - kept;
    return { text: omitted > 0 ? `${this.head}\n… ${omitted} bytes left out …\n${tail}` : this.head + tail, bytes: this.total, omitted };
  }
}

/** Every secret of at least MIN_SECRET_LENGTH characters replaced by MASK, longest first (one secret may contain another). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const masked = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of masked) out = out.split(secret).join(MASK);
  return out;
}

/**
 * Cuts a stream into whole lines for live logs, so a secret split across two network
 * reads is still masked: text is released at line ends, or when a line grows past `maxLine`.
 */
export class LineSplitter {
  private pending = '';
  constructor(private readonly maxLine = 4096) {}

  push(chunk: string): string {
    this.pending += chunk;
    const end = this.pending.lastIndexOf('\n');
    if (end >= 0) {
      const out = this.pending.slice(0, end + 1);
      this.pending = this.pending.slice(end + 1);
      return out;
    }
    if (this.pending.length > this.maxLine) {
      const out = this.pending;
      this.pending = '';
      return out;
    }
    return '';
  }

  flush(): string {
    const out = this.pending;
    this.pending = '';
    return out;
  }
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** The longest prefix of `text` within `bytes` UTF-8 bytes, never cutting a character. */
function sliceBytes(text: string, bytes: number): string {
  if (byteLength(text) <= bytes) return text;
  let size = 0;
  let i = 0;
  for (const char of text) {
    const n = byteLength(char);
    if (size + n > bytes) break;
    size += n;
    i += char.length;
  }
  return text.slice(0, i);
}

function lastBytes(text: string, bytes: number): string {
  const chars = [...text];
  let size = 0;
  let start = chars.length;
  while (start > 0 && size + byteLength(chars[start - 1]!) <= bytes) size += byteLength(chars[--start]!);
  return chars.slice(start).join('');
}
