/**
 * The rows of a CMDB import, whatever the file format, and how CSV files become them.
 * CSV layout (docs/cmdb.md#import-and-export): a header with `class`, optionally `ref` and
 * `tags`, and attribute names; lists and tags separated by `;`; an empty cell means "not
 * given" (files mixing classes leave other classes' columns empty). Relations: a second
 * file `type,source,target`.
 */

import { cellValue, csvRecords, CsvError } from './csv';
import type { ResolvedModel } from './model';

export interface ImportCi {
  /** A name for the row, so relations and references in the same import can point at it. */
  ref?: string;
  class: string;
  attributes: Record<string, unknown>;
  tags?: string[];
}

export interface ImportRelation {
  type: string;
  /** A row's ref, or the id of a stored CI. */
  source: string;
  target: string;
}

export interface ImportInput {
  cis: ImportCi[];
  relations?: ImportRelation[];
}

const RESERVED = new Set(['class', 'ref', 'tags']);

/** CSV text as import rows, cells typed by each row's class (an unknown class is left for the importer to reject). Throws CsvError. */
export function rowsFromCsv(model: ResolvedModel, cis: string, relations?: string): ImportInput {
  const rows = csvRecords(cis).map((record, i): ImportCi => {
    if (!record.class?.trim()) throw new CsvError(`row ${i + 2}: the class is empty (the header needs a 'class' column)`);
    const cls = model.classes.get(record.class.trim());
    const attributes: Record<string, unknown> = {};
    for (const [column, cell] of Object.entries(record)) {
      const value = RESERVED.has(column) ? undefined : cellValue(cell, cls?.attributes[column]);
      if (value !== undefined) attributes[column] = value;
    }
    const tags = record.tags === undefined ? undefined : (cellValue(record.tags, { type: 'string', list: true }) as string[] | undefined);
    return { class: record.class.trim(), ref: record.ref?.trim() || undefined, tags, attributes };
  });
  const links = relations ? csvRecords(relations).map((r) => ({ type: r.type ?? '', source: r.source ?? '', target: r.target ?? '' })) : [];
  return { cis: rows, relations: links };
}
