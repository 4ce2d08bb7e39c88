/** A short span: "850 ms", "12.3 s", "4m 05s", "2h 10m". */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** From start to end, or to now while it goes on; '—' before it started. */
export function durationText(startedAt: string | undefined, finishedAt: string | undefined, now = Date.now()): string {
  if (!startedAt) return '—';
  const end = finishedAt ? Date.parse(finishedAt) : now;
  const span = formatSpan(end - Date.parse(startedAt));
  return finishedAt ? span : `${span}…`;
}
