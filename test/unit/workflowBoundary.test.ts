import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// Code under workflows/ runs in Temporal's deterministic sandbox. The same rule is an
// ESLint error (eslint.config.mjs); this test keeps it enforced even without lint.
const root = path.resolve(__dirname, '../..');
const workflowsDir = path.join(root, 'workflows');

/** Value (non-type) imports of a workflow file that leave the sandbox's allowed set. */
function forbiddenImports(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const forbidden: string[] = [];
  for (const statement of sourceFile.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
    const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly : statement.isTypeOnly;
    if (typeOnly) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (!isAllowed(file, specifier)) forbidden.push(specifier);
  }
  return forbidden;
}

function isAllowed(file: string, specifier: string): boolean {
  if (specifier === '@temporalio/workflow') return true;
  if (!specifier.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), specifier);
  return [workflowsDir, path.join(root, 'domain')].some((dir) => target === dir || target.startsWith(dir + path.sep));
}

function workflowFiles(dir = workflowsDir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? workflowFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the workflow sandbox boundary', () => {
  it.each(workflowFiles().map((f) => [path.relative(root, f), f]))('%s imports only workflows/, domain/ and @temporalio/workflow', (_name, file) => {
    expect(forbiddenImports(file, fs.readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('catches Node built-ins, activities and other packages, and lets activity types through', () => {
    const file = path.join(workflowsDir, 'example.ts');
    const source = [
      "import fs from 'node:fs';",
      "import { createActivities } from '../activities';",
      "import type { createTicketActivities } from '../activities/tickets';",
      "import mongoose from 'mongoose';",
      "import { priorityOf } from '../domain/priority';",
      "export { ticketWorkflow } from './ticket';",
    ].join('\n');
    expect(forbiddenImports(file, source)).toEqual(['node:fs', '../activities', 'mongoose']);
  });
});
