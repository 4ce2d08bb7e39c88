import { z } from 'zod';
import { formSchemaIssues, type FormSchema } from '../../domain/catalogItem';
import { ENV_NAME } from '../../domain/automation/shell';
import { hostsIn, type Serial } from '../../domain/automation/strategy';
import { LIBRARY_ID, LIBRARY_ID_MAX, RISK_LEVELS, runbookIssues, SCRIPT_LANGUAGES, STEP_ID, type RunbookDefinition, type ScriptDefinition } from '../../domain/automation/runbook';
import { parseDuration } from '../../domain/sla/policy';

/**
 * The runbook and script formats as schemas: the catalog loader (runtime/catalog/runbooks.ts)
 * and the library API validate with the same ones, so a file and a draft are judged alike.
 */

export const libraryId = z
  .string()
  .max(LIBRARY_ID_MAX, `must be at most ${LIBRARY_ID_MAX} characters`)
  .regex(LIBRARY_ID, 'must be lower-case words joined by single dashes, like restart-service')
  .meta({ description: 'Runbook or script id, e.g. restart-service' });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const DURATION_HINT = "must be a duration like '30s', '10m' or '1h 30m': whole numbers with units d h m s, in that order";
const duration = z.string({ error: DURATION_HINT }).check((ctx) => {
  let ms: number;
  try {
    ms = parseDuration(ctx.value);
  } catch {
    ctx.issues.push({ code: 'custom', message: DURATION_HINT, input: ctx.value });
    return;
  }
  if (ms <= 0) ctx.issues.push({ code: 'custom', message: 'must be longer than 0', input: ctx.value });
});

/** Templates are Handlebars text; the engine quotes what they produce (activities/automation/render.ts). */
const template = z.string().max(4000, 'must be at most 4,000 characters');
const env = z.record(z.string().regex(ENV_NAME, 'environment variable names use A-Z, 0-9 and _, not starting with a digit'), template);

const stepBase = {
  id: z.string().regex(STEP_ID, 'must start with a lower-case letter and use a-z, 0-9 and _ (at most 40)'),
  name: text(200).optional(),
  timeout: duration.optional(),
  onError: z.enum(['stop', 'continue'], { error: "must be 'stop' (the host's remaining steps are skipped) or 'continue'" }).optional(),
  idempotent: z.boolean().optional(),
  retries: z.int().min(0).max(10, 'must be at most 10').optional(),
};

const conditionOutcome = z.enum(['continue', 'skip', 'fail', 'abort'], { error: "must be 'continue', 'skip' (the host's remaining steps), 'fail' (the host) or 'abort' (the run)" });

const step = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...stepBase, type: z.literal('ssh.command'), command: template.min(1, 'must not be empty'), args: z.array(template).max(100).optional(), env: env.optional() }),
    z.strictObject({
      ...stepBase,
      type: z.literal('ssh.script'),
      script: z.union([z.strictObject({ id: libraryId, version: z.int().min(1).optional() }), z.strictObject({ language: z.enum(SCRIPT_LANGUAGES), body: z.string().min(1).max(256_000) })], {
        error: 'must be { id: <script id>, version: N } from the library or { language, body } inline',
      }),
      args: z.array(template).max(100).optional(),
      env: env.optional(),
    }),
    z.strictObject({ ...stepBase, type: z.literal('wait'), duration }),
    z.strictObject({ ...stepBase, type: z.literal('approval'), message: template.optional(), approvers: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a role name')).min(1).optional() }),
    z.strictObject({ ...stepBase, type: z.literal('condition'), expression: z.string().min(1).max(2000), then: conditionOutcome.optional(), else: conditionOutcome.optional() }),
  ],
  { error: 'type must be one of ssh.command, ssh.script, wait, approval, condition' },
);

const batchSize = z.union([z.int(), z.string().regex(/^\d+(?:\.\d+)?%$/, "a percentage is written like '25%'")]).check((ctx) => {
  try {
    hostsIn(ctx.value as Serial & (number | `${number}%`), 100);
  } catch (error) {
    ctx.issues.push({ code: 'custom', message: (error as Error).message, input: ctx.value });
  }
});

const strategy = z.strictObject({
  parallelism: z.int().min(1).max(1000, 'must be at most 1000').optional(),
  serial: z.union([batchSize, z.array(batchSize).min(1, 'list at least one size')]).optional(),
  maxFailPercentage: z.number().min(0).max(100).optional(),
  hostTimeout: duration.optional(),
});

/** The form is checked by the domain's own rules; the selector against the CMDB model when published and run. */
const parameters = z.unknown().check((ctx) => {
  for (const issue of formSchemaIssues(ctx.value)) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path ? issue.path.split('.') : [], input: ctx.value });
});
const selector = z.record(z.string(), z.unknown(), { error: 'must be a CMDB selector (docs/cmdb.md#selectors)' });

export const runbookDefinition = z
  .strictObject({
    name: text(200),
    description: text(4000).optional(),
    risk: z.enum(RISK_LEVELS, { error: `must be one of ${RISK_LEVELS.join(', ')}` }),
    allowedRoles: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a role name')).min(1, 'name at least one role that may run it'),
    parameters: parameters.transform((value) => value as FormSchema).optional(),
    secretParameters: z.array(z.string()).optional(),
    targets: z.strictObject({ selector }),
    strategy: strategy.optional(),
    steps: z.array(step).min(1, 'list at least one step').max(50, 'list at most 50 steps'),
  })
  .check((ctx) => {
    if (ctx.issues.length > 0) return;
    for (const issue of runbookIssues(ctx.value as RunbookDefinition)) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path.split('.'), input: ctx.value });
  })
  .transform((value) => value as RunbookDefinition)
  .meta({ id: 'RunbookDefinition', description: 'A runbook (docs/automation.md#runbook-format)' });

export const scriptDefinition = z
  .strictObject({
    name: text(200),
    description: text(4000).optional(),
    language: z.enum(SCRIPT_LANGUAGES, { error: `must be one of ${SCRIPT_LANGUAGES.join(', ')}` }),
    body: z.string().min(1, 'must not be empty').max(256_000, 'must be at most 256 KB'),
  })
  .transform((value) => value as ScriptDefinition)
  .meta({ id: 'ScriptDefinition', description: 'A script: language and body' });
