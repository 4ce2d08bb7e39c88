import type { NodeSSH } from 'node-ssh';

/**
 * One command on a host over an open SSH connection, with its own deadline, and killed
 * for real when it is cancelled or overruns. sshd starts every command's shell with
 * setsid(), so the shell's pid is its process group and session: the command first prints
 * that pid (on stderr, behind a marker that is stripped), and a kill signals the whole
 * group from a second channel — `sleep 600` under the command goes too, which closing
 * the channel alone would not do (without a terminal, nothing sends it SIGHUP).
 */
export interface RemoteCommand {
  /** A shell command line, already rendered and quoted. */
  command: string;
  /** Fed to the command's standard input, then closed (scripts run as `sh -s`). */
  stdin?: string;
  deadlineMs: number;
  signal: AbortSignal;
  onStdout(chunk: string): void;
  onStderr(chunk: string): void;
}

export interface RemoteOutcome {
  exitCode: number | null;
  /** The signal that ended it, as the host reports it (e.g. KILL). */
  signal?: string;
  /** The deadline passed and the command was killed. */
  timedOut: boolean;
  /** The activity was cancelled (the run was) and the command was killed. */
  cancelled: boolean;
  /** The connection dropped before the command reported how it ended: its outcome is unknown. */
  lost: boolean;
}

/** The part of ssh2's exec channel used here (node-ssh ships no ssh2 types). */
interface ExecChannel {
  on(event: 'data', listener: (data: Buffer) => void): void;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): void;
  on(event: 'close', listener: () => void): void;
  stderr: { on(event: 'data', listener: (data: Buffer) => void): void };
  end(data?: string): void;
  close(): void;
}

interface ExecClient {
  exec(command: string, callback: (error: Error | undefined, channel: ExecChannel) => void): void;
}

const PID_MARKER = '@@flowdesk-pid ';
/** After TERM, how long the group has to exit before KILL. */
const KILL_GRACE_S = 2;

export function wrapped(command: string): string {
  return `printf '${PID_MARKER}%s\\n' "$$" >&2; ${command}`;
}

export async function runRemote(ssh: NodeSSH, spec: RemoteCommand): Promise<RemoteOutcome> {
  const client = ssh.connection as unknown as ExecClient | null;
  if (!client) throw new Error('the SSH connection is closed');
  const { channel, end } = await new Promise<{ channel: ExecChannel; end: Promise<Ending> }>((resolve, reject) =>
    client.exec(wrapped(spec.command), (error, stream) => (error ? reject(error) : resolve({ channel: stream, end: endOf(stream) }))),
  );
  let ended = false;
  void end.then(() => (ended = true));
  let pid: number | undefined;
  let stderrHead = '';
  let timedOut = false;
  let cancelled = false;

  channel.on('data', (data: Buffer) => spec.onStdout(data.toString('utf8')));
  channel.stderr.on('data', (data: Buffer) => {
    if (pid !== undefined) return spec.onStderr(data.toString('utf8'));
    stderrHead += data.toString('utf8');
    const newline = stderrHead.indexOf('\n');
    if (newline < 0 && stderrHead.length < 200) return;
    const first = newline < 0 ? stderrHead : stderrHead.slice(0, newline);
    const rest = newline < 0 ? '' : stderrHead.slice(newline + 1);
    pid = first.startsWith(PID_MARKER) ? Number(first.slice(PID_MARKER.length)) : 0;
    if (pid === 0) spec.onStderr(stderrHead);
    else if (rest) spec.onStderr(rest);
    stderrHead = '';
  });
  if (spec.stdin !== undefined) channel.end(spec.stdin);
  else channel.end();

  const kill = async () => {
    if (ended) return;
    if (pid) await killGroup(ssh, pid).catch(() => undefined);
    channel.close();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, spec.deadlineMs);
  const onAbort = () => {
    cancelled = true;
    void kill();
  };
  spec.signal.addEventListener('abort', onAbort, { once: true });
  if (spec.signal.aborted) onAbort();

  try {
    const exit = await end;
    return exit ? { ...exit, timedOut, cancelled, lost: false } : { exitCode: null, timedOut, cancelled, lost: !timedOut && !cancelled };
  } finally {
    clearTimeout(timer);
    spec.signal.removeEventListener('abort', onAbort);
  }
}

/** How a command's channel ended: its exit status, or null when it closed without one. */
type Ending = { exitCode: number | null; signal?: string } | null;

/**
 * After the exit status, how long the channel may stay open before the outcome is taken
 * as it is: a background process the command left holding its output open keeps the
 * channel open (OpenSSH's client would wait for it).
 */
const CLOSE_GRACE_MS = 2000;

/**
 * Listens from the moment the exec is granted, not a tick later: a quick command's exit
 * status can come in the same read as the grant, and ssh2 emits it once (heard late, the
 * command looked lost and its host waited for an operator). Ends at 'close', which ssh2
 * emits once the output has been delivered, not at 'exit', which can come first.
 */
function endOf(channel: ExecChannel): Promise<Ending> {
  return new Promise((resolve) => {
    let exit: Ending = null;
    channel.on('exit', (code: number | null, signalName?: string) => {
      exit = { exitCode: typeof code === 'number' ? code : null, ...(signalName && { signal: String(signalName) }) };
      setTimeout(() => resolve(exit), CLOSE_GRACE_MS).unref();
    });
    channel.on('close', () => resolve(exit));
  });
}

/** TERM, then KILL, to the command's process group, from a new channel on the same connection. */
async function killGroup(ssh: NodeSSH, pid: number): Promise<void> {
  const script = `kill -TERM -- -${pid} 2>/dev/null; sleep ${KILL_GRACE_S}; kill -KILL -- -${pid} 2>/dev/null; command -v pkill >/dev/null && pkill -KILL -s ${pid} 2>/dev/null; true`;
  await ssh.execCommand(script, { execOptions: {} });
}
