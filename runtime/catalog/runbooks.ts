import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { runbookDefinition } from '../../api/schemas/runbook';
import { LIBRARY_ID, LIBRARY_ID_MAX, type RunbookDefinition, scriptReferences, type ScriptDefinition, type ScriptLanguage } from '../../domain/automation/runbook';
import { CatalogError, describeIssue } from './items';

/**
 * Runbooks as code: `<catalog>/runbooks/<id>.yaml` and the scripts they use,
 * `<catalog>/runbooks/scripts/<id>.<sh|bash|py|ps1>` (the language from the extension, the
 * name from the first comment line after any shebang). Loaded and checked at start, then
 * published into the library as new versions when they changed (store/automation/library.ts).
 */
export interface ShippedLibrary {
  runbooks: Array<{ id: string; definition: RunbookDefinition }>;
  scripts: Array<{ id: string; definition: ScriptDefinition }>;
}

const LANGUAGE_OF: Record<string, ScriptLanguage> = { '.sh': 'sh', '.bash': 'bash', '.py': 'python', '.ps1': 'powershell' };

export function loadShippedLibrary(dir: string): ShippedLibrary {
  const folder = path.join(dir, 'runbooks');
  if (!fs.existsSync(folder)) return { runbooks: [], scripts: [] };
  const problems: string[] = [];
  const scripts = loadScripts(path.join(folder, 'scripts'), problems);
  const runbooks: ShippedLibrary['runbooks'] = [];
  for (const name of fs.readdirSync(folder).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(folder, name);
    const id = idOf(name, '.yaml', problems, file);
    if (!id) continue;
    const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
    if (document.errors.length) {
      problems.push(...document.errors.map((e) => `${file}: not valid YAML: ${e.message.split('\n')[0]}`));
      continue;
    }
    const parsed = runbookDefinition.safeParse(document.toJS(), { reportInput: true });
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `${file}: ${describeIssue(issue)}`));
      continue;
    }
    for (const ref of scriptReferences(parsed.data)) {
      if (!scripts.some((s) => s.id === ref.id)) problems.push(`${file}: steps.${ref.step}.script: no script '${ref.id}' in ${path.join(folder, 'scripts')}`);
    }
    runbooks.push({ id, definition: parsed.data });
  }
  if (problems.length) throw new CatalogError(folder, problems);
  return { runbooks, scripts };
}

function loadScripts(folder: string, problems: string[]): ShippedLibrary['scripts'] {
  if (!fs.existsSync(folder)) return [];
  const scripts: ShippedLibrary['scripts'] = [];
  for (const name of fs.readdirSync(folder).sort()) {
    const file = path.join(folder, name);
    const ext = path.extname(name);
    const language = LANGUAGE_OF[ext];
    if (!language) {
      problems.push(`${file}: scripts end in ${Object.keys(LANGUAGE_OF).join(', ')}, which give their language`);
      continue;
    }
    const id = idOf(name, ext, problems, file);
    if (!id) continue;
    const body = fs.readFileSync(file, 'utf8');
    const title = body
      .split('\n')
      .filter((line) => !line.startsWith('#!'))
      .find((line) => line.trim() !== '');
    const heading = title?.match(/^\s*#\s*(.+)$/)?.[1]?.trim();
    if (!heading) {
      problems.push(`${file}: start the script with a comment line that names it, e.g. '# Show a systemd unit's status'`);
      continue;
    }
    scripts.push({ id, definition: { name: heading, language, body } });
  }
  return scripts;
}

function idOf(name: string, ext: string, problems: string[], file: string): string | undefined {
  if (name.endsWith('.yml')) {
    problems.push(`${file}: rename the file to end in .yaml`);
    return undefined;
  }
  const id = name.slice(0, -ext.length);
  if (LIBRARY_ID.test(id) && id.length <= LIBRARY_ID_MAX) return id;
  problems.push(`${file}: rename the file: its name is the id, lower-case words joined by single dashes (at most ${LIBRARY_ID_MAX}), like restart-service${ext}`);
  return undefined;
}
