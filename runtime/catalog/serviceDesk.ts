import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { Level, Priority, PriorityMatrix } from '../../domain/priority';
import { parseDuration } from '../../domain/sla/policy';
import { DEFAULT_SETTINGS, type ServiceDeskSettings } from '../../domain/ticket/settings';

export const SERVICE_DESK_FILE = 'service-desk.yaml';

const priority = z.enum(['P1', 'P2', 'P3', 'P4', 'P5']);
const row = z.tuple([priority, priority, priority], { error: 'must list three priorities, for urgency 1, 2 and 3' });
const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const file = z.strictObject({
  priorityMatrix: z.strictObject({ 1: row, 2: row, 3: row }).optional(),
  reopenWindow: duration.optional(),
});

/** Reads `<dir>/service-desk.yaml`; missing file or fields fall back to the defaults. */
export function loadServiceDeskSettings(dir: string): ServiceDeskSettings {
  const filePath = path.join(dir, SERVICE_DESK_FILE);
  if (!fs.existsSync(filePath)) return DEFAULT_SETTINGS;
  const parsed = file.safeParse(YAML.parse(fs.readFileSync(filePath, 'utf8')) ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new Error(`${filePath} is not valid: ${problems.join('; ')}`);
  }
  const { priorityMatrix, reopenWindow } = parsed.data;
  return {
    priorityMatrix: priorityMatrix ? matrixOf(priorityMatrix) : DEFAULT_SETTINGS.priorityMatrix,
    reopenWindowMs: reopenWindow ?? DEFAULT_SETTINGS.reopenWindowMs,
  };
}

function matrixOf(rows: Record<Level, [Priority, Priority, Priority]>): PriorityMatrix {
  const byUrgency = ([u1, u2, u3]: [Priority, Priority, Priority]) => ({ 1: u1, 2: u2, 3: u3 });
  return { 1: byUrgency(rows[1]), 2: byUrgency(rows[2]), 3: byUrgency(rows[3]) };
}
