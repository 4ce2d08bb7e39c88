/**
 * Line diffs between two versions of a script body or of a runbook rendered as YAML, for
 * the library's diff view. Myers' O(ND) algorithm ("An O(ND) Difference Algorithm and Its
 * Variations", 1986) on the lines between the common prefix and suffix, grouped into
 * unified-diff hunks with context lines.
 *
 * Big, very different inputs are bounded: past `maxEdits` edits the search stops and the
 * remaining middle is shown as removed-then-added (`exact: false`). A script is at most
 * 256 KB, so this bounds both time and the memory the search keeps for its trace.
 */

export type DiffOp = 'context' | 'removed' | 'added';

export interface DiffLine {
  op: DiffOp;
  /** The line without its line break. */
  text: string;
  /** 1-based line numbers: `from` in the old text (context, removed), `to` in the new (context, added). */
  from?: number;
  to?: number;
  /** The text's last line, which has no line break after it. */
  noNewline?: true;
}

/** A run of changes with context around it: lines `fromStart`… of the old text become `toStart`… of the new. */
export interface DiffHunk {
  /** 1-based; when a side has no lines in the hunk (`count` 0), the line after which the change is. */
  fromStart: number;
  fromCount: number;
  toStart: number;
  toCount: number;
  lines: DiffLine[];
}

export interface TextDiff {
  hunks: DiffHunk[];
  added: number;
  removed: number;
  /** False when the edit bound was reached and part of the diff is a plain replacement, not the shortest. */
  exact: boolean;
}

export interface DiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
  /** Edits searched for before falling back to a replacement (default 2000). */
  maxEdits?: number;
}

export const DEFAULT_CONTEXT = 3;
export const DEFAULT_MAX_EDITS = 2000;

interface Line {
  text: string;
  /** The line ends the text without a line break: it differs from the same text with one. */
  last: boolean;
}

/** Lines of a text; a final line break ends the last line instead of starting an empty one. A `\r` stays part of its line. */
function linesOf(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const terminated = parts[parts.length - 1] === '';
  if (terminated) parts.pop();
  return parts.map((part, i) => ({ text: part, last: !terminated && i === parts.length - 1 }));
}

const keyOf = (line: Line) => (line.last ? `${line.text}\u0000` : line.text);

type Edit = { op: DiffOp; a: number; b: number };

/**
 * The shortest edit script turning a[lo..] into b[lo..] (Myers, forward greedy with a trace),
 * or null when it needs more than `maxEdits` edits.
 */
function myers(a: string[], b: string[], maxEdits: number): Edit[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    // Only diagonals -d..d are reachable at step d: keep just those for the backtrack.
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d, k);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number, kEnd: number): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  let k = kEnd;
  for (let d = dEnd; d > 0; d--) {
    // trace[d] holds v before step d, for diagonals -d-1..d+1 at index k + d + 1.
    const at = (diagonal: number) => trace[d]![diagonal + d + 1]!;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > (down ? prevX : prevX + 1) && y > (down ? prevY + 1 : prevY)) edits.push({ op: 'context', a: --x, b: --y });
    if (down) edits.push({ op: 'added', a: x, b: --y });
    else edits.push({ op: 'removed', a: --x, b: y });
    k = prevK;
  }
  while (x > 0 && y > 0) edits.push({ op: 'context', a: --x, b: --y });
  return edits.reverse();
}

/** The line diff of two texts, as hunks with `context` unchanged lines around each change. */
export function diffLines(before: string, after: string, options: DiffOptions = {}): TextDiff {
  const context = Math.max(0, options.context ?? DEFAULT_CONTEXT);
  const maxEdits = Math.max(0, options.maxEdits ?? DEFAULT_MAX_EDITS);
  const a = linesOf(before);
  const b = linesOf(after);
  const ka = a.map(keyOf);
  const kb = b.map(keyOf);

  let prefix = 0;
  while (prefix < ka.length && prefix < kb.length && ka[prefix] === kb[prefix]) prefix++;
  let suffix = 0;
  while (suffix < ka.length - prefix && suffix < kb.length - prefix && ka[ka.length - 1 - suffix] === kb[kb.length - 1 - suffix]) suffix++;

  const midA = ka.slice(prefix, ka.length - suffix);
  const midB = kb.slice(prefix, kb.length - suffix);
  const found = myers(midA, midB, maxEdits);
  const middle: Edit[] = found ?? [...midA.map((_, i) => ({ op: 'removed' as const, a: i, b: 0 })), ...midB.map((_, i) => ({ op: 'added' as const, a: midA.length, b: i }))];

  const edits: Edit[] = [];
  for (let i = 0; i < prefix; i++) edits.push({ op: 'context', a: i, b: i });
  for (const edit of middle) edits.push({ op: edit.op, a: edit.a + prefix, b: edit.b + prefix });
  for (let i = suffix; i > 0; i--) edits.push({ op: 'context', a: a.length - i, b: b.length - i });

  const line = (edit: Edit): DiffLine => {
    const source = edit.op === 'added' ? b[edit.b]! : a[edit.a]!;
    return {
      op: edit.op,
      text: source.text,
      ...(edit.op !== 'added' && { from: edit.a + 1 }),
      ...(edit.op !== 'removed' && { to: edit.b + 1 }),
      ...(source.last && { noNewline: true as const }),
    };
  };
  return {
    hunks: hunksOf(edits, context).map((group) => hunk(group.map(line), group[0]!)),
    added: middle.filter((e) => e.op === 'added').length,
    removed: middle.filter((e) => e.op === 'removed').length,
    exact: found !== null,
  };
}

/** Groups the edits into runs of changes that are at most 2 × context unchanged lines apart, with their context. */
function hunksOf(edits: Edit[], context: number): Edit[][] {
  const changed = edits.flatMap((edit, i) => (edit.op === 'context' ? [] : [i]));
  const groups: Edit[][] = [];
  let start = -1;
  let end = -1;
  for (const i of changed) {
    if (start >= 0 && i - end - 1 <= 2 * context) {
      end = i;
      continue;
    }
    if (start >= 0) groups.push(edits.slice(Math.max(0, start - context), Math.min(edits.length, end + context + 1)));
    start = i;
    end = i;
  }
  if (start >= 0) groups.push(edits.slice(Math.max(0, start - context), Math.min(edits.length, end + context + 1)));
  return groups;
}

function hunk(lines: DiffLine[], first: Edit): DiffHunk {
  const fromCount = lines.filter((l) => l.op !== 'added').length;
  const toCount = lines.filter((l) => l.op !== 'removed').length;
  // As in unified diffs: an empty side starts at the line before the change.
  return { fromStart: fromCount === 0 ? first.a : first.a + 1, fromCount, toStart: toCount === 0 ? first.b : first.b + 1, toCount, lines };
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
const MARK: Record<DiffOp, string> = { context: ' ', removed: '-', added: '+' };

/** The diff as unified-diff text (`diff -u`, `git diff`), for people and patch tools. */
export function unifiedDiff(diff: TextDiff, fromLabel: string, toLabel: string): string {
  if (diff.hunks.length === 0) return '';
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  for (const h of diff.hunks) {
    out.push(`@@ -${range(h.fromStart, h.fromCount)} +${range(h.toStart, h.toCount)} @@`);
    for (const l of h.lines) {
      out.push(`${MARK[l.op]}${l.text}`);
      if (l.noNewline) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}
