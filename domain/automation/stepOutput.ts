import { maskSecrets } from './output';

/**
 * A step's structured result (`output`: SNMP varbinds and rows, an HTTP response, cloud
 * servers, an upload's checksum), as a run stores it: secrets masked in every string, and
 * at most OUTPUT_JSON_CAP_BYTES of JSON. Later steps read it as `steps.<id>.output`.
 */

/** Stored per host and step, as JSON text. */
export const OUTPUT_JSON_CAP_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value) ?? 'null').length;

/** Every string in `value` (keys too) with the secrets masked; other values unchanged. */
export function maskDeep(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [maskSecrets(key, secrets), maskDeep(inner, secrets)]));
  return value;
}

/**
 * `value` when its JSON fits `capBytes`. Otherwise, when it is an object, its largest list
 * (rows, varbinds, servers) loses items from the end until it fits, and `omittedItems`
 * says how many went; failing that, the output is replaced by a note with the first part
 * of its JSON text (`preview`).
 */
export function capOutput(value: unknown, capBytes = OUTPUT_JSON_CAP_BYTES): unknown {
  if (value === undefined) return undefined;
  const size = jsonBytes(value);
  if (size <= capBytes) return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, inner]) => Array.isArray(inner)) as Array<[string, unknown[]]>;
    const largest = entries.sort(([, a], [, b]) => jsonBytes(b) - jsonBytes(a))[0];
    if (largest) {
      const [key, list] = largest;
      const withItems = (n: number) => ({ ...(value as Record<string, unknown>), [key]: list.slice(0, n), omittedItems: list.length - n, outputBytes: size });
      let low = 0;
      let high = list.length - 1;
      if (jsonBytes(withItems(0)) <= capBytes) {
        while (low < high) {
          const mid = Math.ceil((low + high) / 2);
          if (jsonBytes(withItems(mid)) <= capBytes) low = mid;
          else high = mid - 1;
        }
        return withItems(low);
      }
    }
  }
  const text = JSON.stringify(value);
  return { outputOmitted: `the output was ${size} bytes of JSON, more than the ${capBytes} stored; its start is in preview`, outputBytes: size, preview: text.slice(0, Math.floor(capBytes / 4)) };
}

/** Masks, then caps: what a step's `output` is stored as. */
export function storedOutput(value: unknown, secrets: readonly string[]): unknown {
  return capOutput(maskDeep(value, secrets));
}
