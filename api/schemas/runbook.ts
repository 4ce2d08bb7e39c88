import { z } from 'zod';
import { formSchemaIssues, type FormSchema } from '../../domain/catalogItem';
import { CLOUD_SERVER_STATUSES } from '../../domain/automation/cloud';
import { HEADER_NAME, STATUS_CLASS } from '../../domain/automation/http';
import { ENV_NAME } from '../../domain/automation/shell';
import { MAX_GET_OIDS, MAX_SET_VARBINDS, normalizeOid, prepareSet, SNMP_SET_TYPES, WALK_LIMITS } from '../../domain/automation/snmp';
import { hostsIn, type Serial } from '../../domain/automation/strategy';
import { checkRemotePath, MAX_UPLOAD_BYTES, MODE, OWNER } from '../../domain/automation/upload';
import { HTTP_METHODS, LIBRARY_ID, LIBRARY_ID_MAX, RISK_LEVELS, runbookIssues, SCRIPT_LANGUAGES, STEP_ID, STEP_TYPES, type RunbookDefinition, type ScriptDefinition } from '../../domain/automation/runbook';
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

/** A template with no `{{` in it is checked as the value it will be; one with a template only once rendered, on the host. */
const literal = (value: string) => !value.includes('{{');
/** A value's own check, turned into an issue; runs only on literal values. */
function checked(schema: z.ZodString, check: (value: string) => unknown) {
  return schema.check((ctx) => {
    if (!literal(ctx.value)) return;
    try {
      check(ctx.value);
    } catch (error) {
      ctx.issues.push({ code: 'custom', message: (error as Error).message, input: ctx.value });
    }
  });
}

const credentialRef = z.string().regex(/^cred_[0-9a-f]{16}$/, 'must be a credential id (cred_ and 16 hex digits), as the credentials API shows it');
const nonEmptyTemplate = template.min(1, 'must not be empty');

const snmpBase = {
  ...stepBase,
  credential: credentialRef.optional().meta({ description: 'snmp_community or snmp_v3, used when the CI has no snmp_credential' }),
  port: z.int().min(1).max(65535, 'must be a UDP port from 1 to 65535').optional(),
  requestTimeout: duration
    .check((ctx) => {
      if (parseDuration(ctx.value) > 60_000) ctx.issues.push({ code: 'custom', message: 'must be at most 60s (it is per attempt; the step timeout bounds the whole step)', input: ctx.value });
    })
    .optional(),
};
const oid = checked(nonEmptyTemplate, (value) => normalizeOid(value));

const snmpVarbind = z
  .strictObject({
    oid,
    type: z.enum(SNMP_SET_TYPES, { error: `must be one of ${SNMP_SET_TYPES.join(', ')}` }),
    value: z.union([template, z.number()], { error: 'must be a string (a template) or a number' }),
    encoding: z.enum(['text', 'hex']).optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (!literal(v.oid) || (typeof v.value === 'string' && !literal(v.value))) return;
    try {
      prepareSet([v]);
    } catch (error) {
      ctx.issues.push({ code: 'custom', message: (error as Error).message.replace(/^varbind 1 \([^)]*\): /, ''), path: ['value'], input: v });
    }
  });

const statusMatch = z.union([z.int().min(100).max(599), z.string().regex(STATUS_CLASS)], { error: "must be a status code (100-599) or a class such as '2xx'" });
const headerValues = z.record(z.string().regex(HEADER_NAME, 'header names are HTTP tokens (letters, digits and !#$%&\'*+.^_`|~-)'), template).check((ctx) => {
  if (Object.keys(ctx.value).length > 50) ctx.issues.push({ code: 'custom', message: 'at most 50 headers', input: ctx.value });
});
const JSON_BODY_MAX = 64 * 1024;
const jsonBody = z.unknown().check((ctx) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(ctx.value);
  } catch {
    text = undefined;
  }
  if (text === undefined) ctx.issues.push({ code: 'custom', message: 'must be a JSON value', input: ctx.value });
  else if (text.length > JSON_BODY_MAX) ctx.issues.push({ code: 'custom', message: `must be at most ${JSON_BODY_MAX / 1024} KiB as JSON`, input: ctx.value });
});
const httpUrl = nonEmptyTemplate.check((ctx) => {
  if (!ctx.value.startsWith('{{') && !/^https?:\/\//i.test(ctx.value)) ctx.issues.push({ code: 'custom', message: 'must start with http:// or https:// (or be a template that gives one)', input: ctx.value });
});

const httpRequest = z
  .strictObject({
    ...stepBase,
    type: z.literal('http.request'),
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }).optional(),
    url: httpUrl,
    headers: headerValues.optional(),
    body: z.string().max(JSON_BODY_MAX, `must be at most ${JSON_BODY_MAX / 1024} KiB`).optional(),
    json: jsonBody.optional(),
    credential: credentialRef.optional().meta({ description: 'http_bearer or http_basic: sent as the Authorization header' }),
    expectStatus: z.union([statusMatch, z.array(statusMatch).min(1).max(20)]).optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', message, path: [path], input: v });
    if (v.body !== undefined && v.json !== undefined) issue('json', 'give body (text) or json, not both');
    if ((v.method ?? 'GET') === 'GET' || v.method === 'HEAD') {
      if (v.body !== undefined || v.json !== undefined) issue(v.body !== undefined ? 'body' : 'json', `a ${v.method ?? 'GET'} request has no body`);
    }
    if (v.credential && Object.keys(v.headers ?? {}).some((name) => name.toLowerCase() === 'authorization')) issue('headers', 'the credential sets the Authorization header; leave it out of headers');
  });

const cloudBase = { ...stepBase, credential: credentialRef.meta({ description: 'An openstack_password credential: the cloud account' }) };
const serverStep = { ...cloudBase, server: nonEmptyTemplate.meta({ description: "The server's id in the cloud, e.g. {{target.attributes.cloud_id}}" }), wait: z.boolean().optional() };
const metadata = z.record(z.string().min(1).max(255), template.max(255, 'must be at most 255 characters')).check((ctx) => {
  if (Object.keys(ctx.value).length > 25) ctx.issues.push({ code: 'custom', message: 'at most 25 metadata entries', input: ctx.value });
});
const cloudResize = z
  .strictObject({ ...serverStep, type: z.literal('cloud.server.resize'), flavor: nonEmptyTemplate.optional(), confirm: z.boolean().optional(), settle: z.enum(['confirm', 'revert']).optional() })
  .check((ctx) => {
    const v = ctx.value;
    const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', message, path: [path], input: v });
    if ((v.flavor === undefined) === (v.settle === undefined)) issue('flavor', "give flavor (resize to it) or settle ('confirm' or 'revert' a resize held earlier), one of them");
    if (v.settle !== undefined && v.confirm !== undefined) issue('confirm', 'confirm goes with flavor; settle confirms or reverts by itself');
    if (v.flavor !== undefined && v.wait === false && v.confirm !== false) issue('confirm', 'confirming a resize needs the step to wait for it: set confirm: false, or leave wait out');
  });

const upload = z
  .strictObject({
    ...stepBase,
    type: z.literal('ssh.upload'),
    content: z.string().max(MAX_UPLOAD_BYTES, `must be at most ${MAX_UPLOAD_BYTES / 1024} KiB`).optional(),
    script: z.strictObject({ id: libraryId, version: z.int().min(1).optional() }, { error: 'must be { id: <script id>, version: N } from the library' }).optional(),
    path: checked(nonEmptyTemplate, checkRemotePath),
    mode: z.string().regex(MODE, "must be octal permission bits such as '0644' or '0755'").optional(),
    owner: template.check((ctx) => {
      if (literal(ctx.value) && !OWNER.test(ctx.value)) ctx.issues.push({ code: 'custom', message: "must be 'user' or 'user:group'", input: ctx.value });
    }).optional(),
  })
  .check((ctx) => {
    if ((ctx.value.content === undefined) === (ctx.value.script === undefined)) ctx.issues.push({ code: 'custom', message: 'give content (inline text) or script (from the library), one of them', path: ['content'], input: ctx.value });
  });

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
    upload,
    z.strictObject({ ...snmpBase, type: z.literal('snmp.get'), oids: z.array(oid).min(1, 'list at least one OID').max(MAX_GET_OIDS, `list at most ${MAX_GET_OIDS} OIDs`) }),
    z.strictObject({
      ...snmpBase,
      type: z.literal('snmp.walk'),
      oid,
      maxRows: z.int().min(WALK_LIMITS.maxRows.min).max(WALK_LIMITS.maxRows.max, `must be at most ${WALK_LIMITS.maxRows.max}`).optional(),
      maxRepetitions: z.int().min(WALK_LIMITS.maxRepetitions.min).max(WALK_LIMITS.maxRepetitions.max, `must be at most ${WALK_LIMITS.maxRepetitions.max}`).optional(),
      deadline: duration.optional(),
    }),
    z.strictObject({ ...snmpBase, type: z.literal('snmp.set'), varbinds: z.array(snmpVarbind).min(1, 'list at least one object').max(MAX_SET_VARBINDS, `list at most ${MAX_SET_VARBINDS} objects`) }),
    httpRequest,
    z.strictObject({ ...cloudBase, type: z.literal('cloud.server.list'), name: template.optional(), status: z.array(z.enum(CLOUD_SERVER_STATUSES, { error: `must be one of ${CLOUD_SERVER_STATUSES.join(', ')}` })).min(1).optional() }),
    z.strictObject({ ...serverStep, type: z.literal('cloud.server.start') }),
    z.strictObject({ ...serverStep, type: z.literal('cloud.server.stop') }),
    z.strictObject({ ...serverStep, type: z.literal('cloud.server.reboot'), reboot: z.enum(['soft', 'hard'], { error: "must be 'soft' (the guest restarts) or 'hard' (power cycle)" }).optional() }),
    cloudResize,
    z.strictObject({ ...serverStep, type: z.literal('cloud.server.snapshot'), name: nonEmptyTemplate.max(255, 'must be at most 255 characters'), metadata: metadata.optional() }),
    z.strictObject({ ...stepBase, type: z.literal('wait'), duration }),
    z.strictObject({ ...stepBase, type: z.literal('approval'), message: template.optional(), approvers: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a role name')).min(1).optional() }),
    z.strictObject({ ...stepBase, type: z.literal('condition'), expression: z.string().min(1).max(2000), then: conditionOutcome.optional(), else: conditionOutcome.optional() }),
  ],
  { error: `type must be one of ${STEP_TYPES.join(', ')}` },
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
