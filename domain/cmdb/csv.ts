/**
 * CSV for CMDB import and export (RFC 4180: comma-separated, double quotes around fields
 * that hold commas, quotes or line breaks, quotes doubled inside). The CI layout: a header
 * row naming `class`, optionally `ref` and `tags`, and attribute names; list values and
 * tags are separated by `;`; an empty cell means "not given". Relations: `type,source,target`.
 */

import type { AttributeDefinition } from './model';

export class CsvError extends Error {
  override readonly name = 'CsvError';
}

/** Rows of fields; a quoted field may span lines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        if (i + 1 < input.length && !',\r\n'.includes(input[i + 1]!)) throw new CsvError(`line ${line}: a closing quote must end the field`);
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else {
      field += c;
    }
  }
  if (quoted) throw new CsvError(`line ${line}: a quoted field is not closed`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Rows as objects by the header row; a row with more or fewer fields than the header is an error. */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new CsvError(`the header names '${duplicate}' twice`);
  return rows.map((row, i) => {
    if (row.length !== names.length) throw new CsvError(`row ${i + 2} has ${row.length} fields, the header ${names.length}`);
    return Object.fromEntries(names.map((n, j) => [n, row[j]!]));
  });
}

/** A cell as the attribute's raw value: lists split on `;`, empty → undefined (not given). */
export function cellValue(cell: string, spec: AttributeDefinition | undefined): unknown {
  const trimmed = cell.trim();
  if (trimmed === '') return undefined;
  if (spec?.list) return trimmed.split(';').map((v) => v.trim()).filter(Boolean);
  return trimmed;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(header: string[], rows: Array<Array<string | number | boolean | null | undefined | Array<string | number | boolean>>>): string {
  const cell = (v: unknown) => quote(v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v));
  return `${[header.map(quote).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n')}\r\n`;
}
