/**
 * What a CMDB write can fail with; the API turns each into a problem+json answer
 * (invalid → 400 with per-field errors, not_found → 404, conflict → 409, stale → 412).
 */
export class CmdbError extends Error {
  override readonly name = 'CmdbError';
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'conflict' | 'stale',
    message: string,
    /** Per-field problems: `attributes.cpu_count`, `target`, … */
    readonly errors: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}
