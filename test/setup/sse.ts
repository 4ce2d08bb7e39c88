/**
 * A server-sent events client over fetch, for tests of the API's streams: it parses the
 * stream as the WHATWG EventSource does (fields, blank-line dispatch, comments, the last
 * event id kept across events, set even by a message without data) and keeps every event,
 * so a test waits for the one it expects.
 */

export interface SseEvent {
  event: string;
  data: string;
  /** The last event id after this event (as EventSource's lastEventId). */
  lastEventId: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The body, when the server answered with something else than a stream. */
  body: string | null;
  events: SseEvent[];
  comments: string[];
  lastEventId: string;
  /** The first event (received or to come) that `match` accepts, after `from` (an index in events). */
  next(what: string, match: (e: SseEvent) => boolean, from?: number): Promise<SseEvent>;
  /** Resolves once a comment has arrived after the `count`th. */
  comment(count?: number): Promise<string>;
  /** Whether the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

const WAIT_MS = 60_000;

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const state = { lastEventId: '' };
  const isStream = res.ok && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const body = isStream ? null : await res.text();

  const ended = isStream ? read(res.body!, (line) => parseLine(line), wake) : Promise.resolve();
  let data: string[] = [];
  let type = '';
  let idBuffer = '';
  function parseLine(line: string): void {
    if (line === '') {
      state.lastEventId = idBuffer;
      if (data.length) events.push({ event: type || 'message', data: data.join('\n'), lastEventId: state.lastEventId });
      data = [];
      type = '';
      return;
    }
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) idBuffer = value;
  }

  async function waitUntil<T>(what: string, found: () => T | undefined): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events so far: ${JSON.stringify(events.map((e) => [e.event, e.data.slice(0, 200)]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1_000);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  return {
    status: res.status,
    headers: res.headers,
    body,
    events,
    comments,
    get lastEventId() {
      return state.lastEventId;
    },
    next: (what, match, from = 0) => waitUntil(what, () => events.slice(from).find(match)),
    comment: (count = 0) => waitUntil('a comment', () => comments[count]),
    ended,
    close: () => controller.abort(),
  };
}

async function read(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void, onChunk: () => void): Promise<void> {
  const decoder = new TextDecoder();
  let rest = '';
  try {
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      onChunk();
    }
  } catch {
    // Aborted by close(), or the server went away.
  }
  onChunk();
}
