import { diffLines, type TextDiff, unifiedDiff } from '../../../domain/automation/textDiff';

const text = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

/** Both texts back from the diff: context and removed lines give the old one, context and added the new one, in hunk order. */
function sides(diff: TextDiff, before: string, after: string): { before: string[]; after: string[] } {
  const oldLines = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const newLines = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const rebuiltOld: string[] = [];
  const rebuiltNew: string[] = [];
  let a = 0;
  let b = 0;
  for (const h of diff.hunks) {
    // Lines between hunks are unchanged: copy them from both sides.
    const gapA = (h.fromCount === 0 ? h.fromStart : h.fromStart - 1) - a;
    const gapB = (h.toCount === 0 ? h.toStart : h.toStart - 1) - b;
    expect(gapA).toBe(gapB);
    rebuiltOld.push(...oldLines.slice(a, a + gapA));
    rebuiltNew.push(...newLines.slice(b, b + gapB));
    a += gapA;
    b += gapB;
    for (const l of h.lines) {
      if (l.op !== 'added') {
        expect(l.from).toBe(++a);
        rebuiltOld.push(l.text);
      }
      if (l.op !== 'removed') {
        expect(l.to).toBe(++b);
        rebuiltNew.push(l.text);
      }
    }
  }
  rebuiltOld.push(...oldLines.slice(a));
  rebuiltNew.push(...newLines.slice(b));
  return { before: rebuiltOld, after: rebuiltNew };
}

/** Length of the longest common subsequence, by dynamic programming: the shortest diff has n + m − 2·LCS edits. */
function lcs(a: string[], b: string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const next = [0];
    for (let j = 0; j < b.length; j++) next.push(x === b[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!));
    row = next;
  }
  return row[b.length]!;
}

/** A small deterministic generator, so a failure is reproducible. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('line diffs', () => {
  test('identical texts have no hunks and no unified text', () => {
    const same = text('a', 'b', 'c');
    expect(diffLines(same, same)).toEqual({ hunks: [], added: 0, removed: 0, exact: true });
    expect(unifiedDiff(diffLines(same, same), 'v1', 'v2')).toBe('');
    expect(diffLines('', '').hunks).toEqual([]);
  });

  test('one changed line: a hunk with three context lines each side, as diff -u shows it', () => {
    const before = text(...numbered(1, 10));
    const after = text(...numbered(1, 4), 'line five', ...numbered(6, 10));
    const diff = diffLines(before, after);
    expect(diff).toMatchObject({ added: 1, removed: 1, exact: true });
    expect(diff.hunks).toHaveLength(1);
    expect(diff.hunks[0]).toMatchObject({ fromStart: 2, fromCount: 7, toStart: 2, toCount: 7 });
    expect(diff.hunks[0]!.lines.filter((l) => l.op !== 'context')).toEqual([
      { op: 'removed', text: 'line 5', from: 5 },
      { op: 'added', text: 'line five', to: 5 },
    ]);
    expect(unifiedDiff(diff, 'a/status.sh', 'b/status.sh')).toBe(
      ['--- a/status.sh', '+++ b/status.sh', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  test('changes further apart than twice the context are separate hunks; closer ones share one', () => {
    const lines = numbered(1, 30);
    const far = [...lines];
    far[2] = 'changed 3';
    far[25] = 'changed 26';
    expect(diffLines(text(...lines), text(...far)).hunks.map((h) => [h.fromStart, h.fromCount])).toEqual([
      [1, 6],
      [23, 7],
    ]);
    const near = [...lines];
    near[9] = 'changed 10';
    near[15] = 'changed 16';
    expect(diffLines(text(...lines), text(...near)).hunks.map((h) => [h.fromStart, h.fromCount])).toEqual([[7, 13]]);
    expect(diffLines(text(...lines), text(...near), { context: 0 }).hunks.map((h) => [h.fromStart, h.fromCount, h.lines.length])).toEqual([
      [10, 1, 2],
      [16, 1, 2],
    ]);
  });

  test('insertions and deletions at either end, and from or to nothing, use the ranges of diff -u', () => {
    const base = text('a', 'b', 'c');
    expect(unifiedDiff(diffLines(base, text('new', 'a', 'b', 'c')), 'x', 'y')).toBe('--- x\n+++ y\n@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n');
    expect(diffLines(base, text('a', 'b')).hunks[0]).toMatchObject({ fromStart: 1, fromCount: 3, toStart: 1, toCount: 2 });
    expect(diffLines('', base).hunks).toEqual([
      {
        fromStart: 0,
        fromCount: 0,
        toStart: 1,
        toCount: 3,
        lines: [
          { op: 'added', text: 'a', to: 1 },
          { op: 'added', text: 'b', to: 2 },
          { op: 'added', text: 'c', to: 3 },
        ],
      },
    ]);
    expect(diffLines(base, '').hunks[0]).toMatchObject({ fromStart: 1, fromCount: 3, toStart: 0, toCount: 0 });
    expect(diffLines(text(...numbered(1, 10)), text(...numbered(1, 10), 'tail'), { context: 1 }).hunks).toEqual([
      { fromStart: 10, fromCount: 1, toStart: 10, toCount: 2, lines: [{ op: 'context', text: 'line 10', from: 10, to: 10 }, { op: 'added', text: 'tail', to: 11 }] },
    ]);
  });

  test('a missing final line break is a change of the last line, shown as diff -u does', () => {
    const diff = diffLines('echo hi\nexit 0\n', 'echo hi\nexit 0');
    expect([diff.added, diff.removed]).toEqual([1, 1]);
    expect(unifiedDiff(diff, 'v1', 'v2')).toBe('--- v1\n+++ v2\n@@ -1,2 +1,2 @@\n echo hi\n-exit 0\n+exit 0\n\\ No newline at end of file\n');
    expect(diffLines('a\nb', 'a\nb').hunks).toEqual([]);
  });

  test('Windows line endings are part of the line, so a converted file shows every line', () => {
    expect(diffLines('a\nb\n', 'a\r\nb\r\n')).toMatchObject({ added: 2, removed: 2 });
  });

  test('random edits: the diff rebuilds both texts and is as short as the longest common subsequence allows', () => {
    const next = random(42);
    const vocabulary = ['fi', 'done', 'echo ok', 'exit 1', 'set -eu', '', 'then', 'do', 'esac'];
    for (let round = 0; round < 300; round++) {
      const pick = () => vocabulary[Math.floor(next() * vocabulary.length)]!;
      const a = Array.from({ length: Math.floor(next() * 25) }, pick);
      const b = a.flatMap((line) => {
        const r = next();
        if (r < 0.15) return [];
        if (r < 0.3) return [pick(), line];
        if (r < 0.4) return [pick()];
        return [line];
      });
      const before = text(...a);
      const after = text(...b);
      const diff = diffLines(before, after, { context: Math.floor(next() * 4) });
      expect(sides(diff, before, after)).toEqual({ before: a, after: b });
      expect(diff.exact).toBe(true);
      expect(diff.added + diff.removed).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });

  test('past the edit bound it still gives a correct, if longer, diff and says so', () => {
    const a = Array.from({ length: 1000 }, (_, i) => `old ${i}`);
    const b = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `old ${i}` : `new ${i}`));
    const before = text('#!/bin/sh', ...a, 'exit 0');
    const after = text('#!/bin/sh', ...b, 'exit 0');
    const bounded = diffLines(before, after, { maxEdits: 100 });
    expect(bounded.exact).toBe(false);
    // The first line of both (old 0) is common, so the replaced middle starts after it.
    expect(bounded).toMatchObject({ added: 999, removed: 999 });
    expect(sides(bounded, before, after)).toEqual({ before: ['#!/bin/sh', ...a, 'exit 0'], after: ['#!/bin/sh', ...b, 'exit 0'] });
    // The common first and last lines are found before the bound applies.
    expect(bounded.hunks[0]!.fromStart).toBe(1);

    const exact = diffLines(before, after);
    expect(exact).toMatchObject({ exact: true, added: 500, removed: 500 });
    expect(sides(exact, before, after)).toEqual({ before: ['#!/bin/sh', ...a, 'exit 0'], after: ['#!/bin/sh', ...b, 'exit 0'] });
  });
});
