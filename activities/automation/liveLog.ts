import type { Connection } from 'mongoose';
import { LineSplitter, maskSecrets } from '../../domain/automation/output';
import { appendLog, type LogLine } from '../../store/automation/runs';

/** Live log of one step on one host, for the UI to stream while it runs. */
const FLUSH_MS = 500;
/** Beyond this, live lines stop (the stored output keeps its head and tail); the log says so. */
export const LIVE_LOG_CAP_BYTES = 1024 * 1024;

type Stream = 'stdout' | 'stderr';
type Line = Omit<LogLine, '_id'>;

/**
 * The live log lines of every step a worker runs, written together: one insert takes the
 * lines of all steps that have some (a fleet's steps each wrote their own, two inserts per
 * host and step). Lines wait at most FLUSH_MS; a step that ends asks for its lines at once,
 * and while one insert is in flight the lines that come meanwhile wait for the next (at
 * most one in flight, so lines stay in the order they came). Best effort, as before.
 */
export class LogWriter {
  private pending: Line[] = [];
  private timer?: NodeJS.Timeout;
  /** The insert that will take `pending`, once the one in flight has ended. */
  private next?: Promise<void>;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly db: Connection) {}

  /** Written within FLUSH_MS. */
  queue(lines: Line[]): void {
    if (lines.length === 0) return;
    this.pending.push(...lines);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_MS).unref();
  }

  /** Resolves once every line queued so far is written (or its write failed). */
  flush(): Promise<void> {
    if (this.next) return this.next;
    if (this.pending.length === 0) return this.last;
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.last.then(() => {
      this.next = undefined;
      const lines = this.pending;
      this.pending = [];
      return lines.length ? appendLog(this.db, lines).catch(() => undefined) : undefined;
    });
    this.next = next;
    this.last = next;
    return next;
  }
}

const writers = new WeakMap<Connection, LogWriter>();

/** The worker's writer for `db`. */
export function logWriterFor(db: Connection): LogWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new LogWriter(db)));
  return writer;
}

/**
 * Collects a command's output in whole lines (so a secret split across two reads is still
 * masked), masks secrets, and hands it to the worker's LogWriter, which writes within half
 * a second, and at the end at once. Writing is best effort: a slow store delays the live
 * view, never the command.
 */
export class LiveLog {
  private readonly splitters: Record<Stream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  private written = 0;
  private capped = false;
  private readonly writer: LogWriter;

  constructor(
    db: Connection,
    private readonly runId: string,
    private readonly seq: number,
    private readonly step: string,
    private readonly secrets: readonly string[],
  ) {
    this.writer = logWriterFor(db);
  }

  push(stream: Stream, chunk: string): void {
    this.add(stream, this.splitters[stream].push(chunk));
  }

  /** A line of FlowDesk's own (the step starting, how it ended): written with the next flush, not a write of its own. */
  system(text: string): void {
    this.add('system', `${text}\n`);
  }

  /** The rest of the output (a last line without a newline), and every line of this step written. */
  async close(): Promise<void> {
    this.add('stdout', this.splitters.stdout.flush());
    this.add('stderr', this.splitters.stderr.flush());
    await this.writer.flush();
  }

  private add(stream: LogLine['stream'], text: string): void {
    if (!text || this.capped) return;
    this.written += text.length;
    if (this.written > LIVE_LOG_CAP_BYTES && stream !== 'system') {
      this.capped = true;
      text = `… the live log stops at ${LIVE_LOG_CAP_BYTES / 1024} KiB; the stored output keeps the start and the end\n`;
      stream = 'system';
    }
    this.writer.queue([{ runId: this.runId, seq: this.seq, step: this.step, stream, text: maskSecrets(text, this.secrets), at: new Date().toISOString() }]);
  }
}
