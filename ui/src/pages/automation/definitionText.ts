import { useEffect, useState } from 'react';
import type * as YamlModule from 'yaml';
import type { LibraryKind, RunbookDefinition, ScriptDefinition } from '../../api/automation';

/** The YAML library, loaded the first time a runbook is shown as text (like cytoscape for the topology). */
export type Yaml = typeof YamlModule;
let loaded: Yaml | null = null;
let loading: Promise<Yaml> | null = null;

export function loadYaml(): Promise<Yaml> {
  loading ??= import('yaml').then((module) => (loaded = module));
  return loading;
}

/** The YAML library once it is loaded; null until then. */
export function useYaml(): Yaml | null {
  const [yaml, setYaml] = useState<Yaml | null>(loaded);
  useEffect(() => {
    if (!yaml) void loadYaml().then(setYaml);
  }, [yaml]);
  return yaml;
}

/** A runbook as the YAML an author edits (keys in the order they were written). */
export function runbookText(yaml: Yaml, definition: RunbookDefinition): string {
  return yaml.stringify(definition, { lineWidth: 0, aliasDuplicateObjects: false });
}

export type Parsed = { ok: true; definition: Record<string, unknown> } | { ok: false; message: string };

/**
 * The editor's YAML as a definition to send. Only the syntax is checked here; the server
 * checks the format and names each wrong field.
 */
export function parseRunbook(yaml: Yaml, text: string): Parsed {
  let doc: ReturnType<Yaml['parseDocument']>;
  try {
    doc = yaml.parseDocument(text, { prettyErrors: true });
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const first = doc.errors[0];
  if (first) return { ok: false, message: first.message };
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'A runbook is a mapping (name:, risk:, targets:, steps: …), not a list or a single value.' };
  // The shape is the server's to check (api/schemas/runbook.ts): it names each field it refuses.
  return { ok: true, definition: value as Record<string, unknown> };
}

/** What an entry of a kind is called in sentences. */
export const KIND_NOUN: Record<LibraryKind, string> = { runbook: 'runbook', script: 'script' };

/** Templates for a new entry. */
export const NEW_RUNBOOK: RunbookDefinition = {
  name: 'New runbook',
  description: 'What it does, and when to run it.',
  risk: 'low',
  allowedRoles: ['automation_operator', 'automation_admin'],
  targets: { selector: { class: 'host' } },
  strategy: { parallelism: 10 },
  steps: [{ id: 'check', name: 'Check the host', type: 'ssh.command', command: 'uptime', timeout: '30s', idempotent: true }],
};

export const NEW_SCRIPT: ScriptDefinition = { name: 'New script', description: '', language: 'sh', body: '#!/bin/sh\nset -eu\n' };
