/**
 * External inventories (a virtualisation manager, a cloud account, another CMDB) feed the
 * CMDB through a sync job: a JSON document or a CSV file at a URL, and a field mapping
 * from the feed's records to a class's attributes. The rows then go through the same
 * identification and reconciliation as any import, with source `sync`.
 */

import { cellValue, csvRecords, CsvError } from '../csv';
import type { ImportCi, ImportInput } from '../importRows';
import type { ResolvedModel } from '../model';

export interface FeedMapping {
  /** The class of every record, unless `classField` names a field that says. */
  class: string;
  classField?: string;
  /** JSON only: the dotted path to the array of records (`data.items`); default: the document is the array. */
  itemsPath?: string;
  /** Attribute → the record's field, as a dotted path (`guest.ipAddress`); CSV fields are column names. */
  attributes: Record<string, string>;
  /** Tags every record gets (for example the feed's name, to find what it brought). */
  tags?: string[];
}

export class FeedError extends Error {
  override readonly name = 'FeedError';
}

/** The value at a dotted path (`a.b.0.c`), or undefined. */
export function fieldAt(record: unknown, path: string): unknown {
  let value = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The feed's records as import rows. Throws FeedError when the document is not what the mapping expects. */
export function feedRows(model: ResolvedModel, format: 'json' | 'csv', body: string, mapping: FeedMapping): ImportInput {
  const records = format === 'csv' ? csvFeed(body) : jsonFeed(body, mapping.itemsPath);
  const cis = records.map((record): ImportCi => {
    const className = (mapping.classField ? String(fieldAt(record, mapping.classField) ?? '') : '') || mapping.class;
    const cls = model.classes.get(className);
    const attributes: Record<string, unknown> = {};
    for (const [attribute, path] of Object.entries(mapping.attributes)) {
      const raw = format === 'csv' ? (record as Record<string, string>)[path] : fieldAt(record, path);
      // CSV cells are text: lists split by the class, as a CSV import does; empty means "the feed does not say".
      const value = format === 'csv' && typeof raw === 'string' ? cellValue(raw, cls?.attributes[attribute]) : raw;
      if (value !== undefined && value !== null && value !== '') attributes[attribute] = value;
    }
    return { class: className, attributes, ...(mapping.tags?.length && { tags: mapping.tags }) };
  });
  return { cis };
}

function csvFeed(body: string): Array<Record<string, string>> {
  try {
    return csvRecords(body);
  } catch (error) {
    throw new FeedError(`the CSV feed cannot be read: ${error instanceof CsvError ? error.message : String(error)}`);
  }
}

function jsonFeed(body: string, itemsPath: string | undefined): unknown[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new FeedError('the JSON feed is not valid JSON');
  }
  const items = itemsPath ? fieldAt(document, itemsPath) : document;
  if (!Array.isArray(items)) throw new FeedError(itemsPath ? `the JSON feed has no array at '${itemsPath}'` : 'the JSON feed is not an array of records (set itemsPath to where the array is)');
  return items;
}
