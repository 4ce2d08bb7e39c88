/** A one-shot message handed from one page to the next (e.g. "Incident created"). */
let pending: string | null = null;

export const flash = {
  set(message: string): void {
    pending = message;
  },
  /** Reads without consuming, so React's double render in development still sees it. */
  peek(): string | null {
    return pending;
  },
  clear(): void {
    pending = null;
  },
};
