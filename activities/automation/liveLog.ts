import type { Connection } from 'mongoose';
import { LineSplitter, maskSecrets } from '../../domain/automation/output';
import { appendLog, type LogLine } from '../../store/automation/runs';

/** Live log of one step on one host, for the UI to stream while it runs. */
const FLUSH_MS = 500;
/** Beyond this, live lines stop (the stored output keeps its head and tail); the log says so. */
export const LIVE_LOG_CAP_BYTES = 1024 * 1024;

type Stream = 'stdout' | 'stderr';

/**
 * Collects a command's output in whole lines (so a secret split across two reads is still
 * masked), masks secrets, and writes what it has every half second and at the end. Writing
 * is best effort: a slow store delays the live view, never the command.
 */
export class LiveLog {
  private readonly splitters: Record<Stream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  private pending: Array<Omit<LogLine, '_id'>> = [];
  private written = 0;
  private capped = false;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Connection,
    private readonly runId: string,
    private readonly seq: number,
    private readonly step: string,
    private readonly secrets: readonly string[],
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  push(stream: Stream, chunk: string): void {
    this.add(stream, this.splitters[stream].push(chunk));
  }

  /** A line of FlowDesk's own (the step starting, how it ended): written with the next flush, so a short step's log is one write, not one per line. */
  system(text: string): void {
    this.add('system', `${text}\n`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.add('stdout', this.splitters.stdout.flush());
    this.add('stderr', this.splitters.stderr.flush());
    await this.flush();
  }

  private add(stream: LogLine['stream'], text: string): void {
    if (!text || this.capped) return;
    this.written += text.length;
    if (this.written > LIVE_LOG_CAP_BYTES && stream !== 'system') {
      this.capped = true;
      text = `… the live log stops at ${LIVE_LOG_CAP_BYTES / 1024} KiB; the stored output keeps the start and the end\n`;
      stream = 'system';
    }
    this.pending.push({ runId: this.runId, seq: this.seq, step: this.step, stream, text: maskSecrets(text, this.secrets), at: new Date().toISOString() });
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const lines = this.pending;
      this.pending = [];
      await appendLog(this.db, lines).catch(() => undefined);
    });
    return this.flushing;
  }
}
