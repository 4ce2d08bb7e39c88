import fs from 'node:fs';
import path from 'node:path';
import { CsvError } from '../domain/cmdb/csv';
import { type ImportInput, rowsFromCsv } from '../domain/cmdb/importRows';
import { loadCatalog } from '../runtime/catalog';
import type { Config } from '../runtime/config';
import { withStore } from '../runtime/storeAccess';
import { importCmdb, type ImportReport } from '../store/cmdb/importer';
import { loadModel, seedModel } from '../store/cmdb/modelStore';
import { cmdbLog } from '../store/cmdb/replica';

export const CMDB_IMPORT_USAGE = 'cmdb import <file.json|file.csv> [--relations <relations.csv>] [--dry-run]';

interface Args {
  file: string;
  relations?: string;
  dryRun: boolean;
}

function parseArgs(args: string[]): Args | string {
  let file: string | undefined;
  let relations: string | undefined;
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--relations') relations = args[++i];
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (file) return `one file at a time (got ${file} and ${arg})`;
    else file = arg;
  }
  if (!file) return 'name the file to import';
  if (args.includes('--relations') && !relations) return '--relations needs a CSV file';
  return { file, relations, dryRun };
}

function readInput(args: Args, model: Awaited<ReturnType<typeof loadModel>>): ImportInput {
  const text = fs.readFileSync(args.file, 'utf8');
  if (path.extname(args.file).toLowerCase() === '.csv') return rowsFromCsv(model, text, args.relations ? fs.readFileSync(args.relations, 'utf8') : undefined);
  const parsed = JSON.parse(text) as Partial<ImportInput>;
  if (!Array.isArray(parsed.cis)) throw new Error(`${args.file} must be a JSON object with a "cis" list (and optionally "relations"), as GET /api/v1/cmdb/export gives`);
  return { cis: parsed.cis, relations: parsed.relations ?? [] };
}

function summary(report: ImportReport): string[] {
  const lines = [
    `${report.dryRun ? 'dry run, nothing written: ' : ''}CIs ${report.cis.created} created, ${report.cis.updated} updated, ${report.cis.unchanged} unchanged, ${report.cis.rejected} rejected; relations ${report.relations.created} created, ${report.relations.existing} existing, ${report.relations.rejected} rejected`,
  ];
  for (const row of report.rows.filter((r) => r.outcome === 'rejected')) lines.push(`  row ${row.row + 1}${row.ref ? ` (${row.ref})` : ''}: ${row.errors!.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  for (const row of report.rows.filter((r) => r.conflicts?.length)) lines.push(`  row ${row.row + 1}: kept ${row.conflicts!.map((c) => `${c.attribute} (${c.keptSource} beats ${c.offeredSource})`).join(', ')}`);
  for (const r of report.relationErrors) lines.push(`  relation ${r.row + 1}: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  return lines;
}

/**
 * `flowdesk cmdb import`: imports a JSON or CSV file of any size straight into the store
 * (the API takes bodies up to 256 kB). Exit code 0 when every row landed, 1 when some were
 * rejected, 2 when nothing could be imported.
 */
export async function cmdbImportCommand(config: Config, argv: string[], print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const say = (message: string) => process.stderr.write(`[flowdesk] ${message}\n`);
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    say(`${args}\nusage: flowdesk ${CMDB_IMPORT_USAGE}`);
    return 2;
  }
  try {
    const report = await withStore(config, say, async (db) => {
      await seedModel(db, loadCatalog().cmdb);
      const input = readInput(args, await loadModel(db));
      say(`importing ${input.cis.length} CIs and ${input.relations?.length ?? 0} relations from ${args.file}${args.dryRun ? ' (dry run)' : ''}`);
      const result = await importCmdb(db, input, { dryRun: args.dryRun, actor: { type: 'import', id: `cli:${path.basename(args.file)}` }, progress: say });
      await cmdbLog.idle(db);
      return result;
    });
    for (const line of summary(report)) print(line);
    return report.cis.rejected + report.relations.rejected > 0 ? 1 : 0;
  } catch (error) {
    const reason = error instanceof CsvError || error instanceof SyntaxError ? `${args.file} cannot be read: ${error.message}` : (error as Error).message;
    say(`cmdb import failed: ${reason}`);
    return 2;
  }
}
