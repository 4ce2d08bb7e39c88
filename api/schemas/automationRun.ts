import { z } from 'zod';
import { HOST_STATUSES } from '../../domain/automation/run';
import { MAX_EXPLICIT_TARGETS } from '../../domain/automation/targets';
import { libraryId } from './runbook';

export const runId = z.string().regex(/^RUN\d{7,}$/, 'a run id looks like RUN0000042').meta({ description: 'Run id, e.g. RUN0000042' });
const stepId = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'not a step id');

export const newRunBody = z
  .strictObject({
    runbook: libraryId,
    version: z.int().min(1).optional().meta({ description: 'Default: the latest published version' }),
    params: z.record(z.string(), z.unknown()).optional().meta({ description: "Answers to the runbook's parameter form" }),
    credential: z.string().min(1).max(100).optional().meta({ description: 'Credential id for hosts whose CI names no ssh_credential' }),
    targets: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(MAX_EXPLICIT_TARGETS)
      .optional()
      .meta({ description: "CI ids to limit the run to; each must be one the runbook's selector selects (a run can be narrowed, never widened)" }),
    ticket: z
      .string()
      .regex(/^(INC|REQ|CHG|PRB)\d{7,}$/, 'not a ticket number')
      .optional()
      .meta({ description: 'The incident, request or problem the run is evidence for (changes once they exist): you must be able to see it, and its result is written to its timeline' }),
  })
  .meta({ id: 'NewRun' });

const waiting = z.object({ reason: z.enum(['approval', 'decision', 'worker', 'slot']), detail: z.string(), since: z.string().optional(), step: z.string().optional() });

const finding = z.object({
  step: z.string(),
  ruleId: z.string(),
  severity: z.enum(['critical', 'high', 'medium']),
  action: z.enum(['block', 'approval']),
  description: z.string(),
  line: z.int().meta({ description: '1-based line of the rendered text; 0 when about the whole text' }),
  text: z.string().meta({ description: 'The line as rendered, secrets masked' }),
  form: z.string().optional().meta({ description: 'The canonical form the rule matched' }),
  hosts: z.int().meta({ description: "How many targets' renderings gave it" }),
});

export const runRisk = z
  .object({
    decision: z.enum(['allow', 'approval', 'block']),
    findings: z.array(finding).meta({ description: 'At most 50, those that block first' }),
    total: z.int(),
    uncheckedSteps: z.array(z.string()).meta({ description: "Steps that use earlier steps' outputs: checked on each host right before they run" }),
    approvalRules: z.record(z.string(), z.array(z.string())).meta({ description: 'Per step, the rules a second person approves' }),
  })
  .meta({ id: 'RunRisk', description: 'The high-risk check of the rendered SSH steps (docs/automation-safety.md#in-a-run)' });

export const run = z
  .object({
    id: runId,
    runbook: z.object({ id: z.string(), version: z.int(), name: z.string(), risk: z.string() }),
    status: z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'stopped', 'cancelled']),
    params: z.record(z.string(), z.unknown()).meta({ description: 'Secret parameters are shown masked' }),
    requestedBy: z.string(),
    trigger: z.object({ type: z.string(), ref: z.string().optional() }),
    targets: z.object({ total: z.int(), byZone: z.record(z.string(), z.int()) }),
    hosts: z.record(z.enum(HOST_STATUSES), z.int()).optional().meta({ description: 'Hosts per status (single-run reads)' }),
    waiting: z.array(waiting).optional().meta({ description: 'Why the run is not moving: an approval, an operator decision, no worker in a zone, parallelism' }),
    approvals: z.array(z.object({ step: z.string(), decision: z.string(), by: z.string(), at: z.string(), comment: z.string().optional() })),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    summary: z.string().optional(),
    risk: runRisk.optional(),
  })
  .meta({ id: 'Run' });

export const runList = z.object({ items: z.array(run), nextCursor: z.string().nullable() }).meta({ id: 'RunList' });

export const listRunsQuery = z.strictObject({
  runbook: libraryId.optional(),
  status: run.shape.status.optional(),
  requestedBy: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().meta({ description: 'nextCursor of the previous page' }),
});

const stepResult = z.object({
  status: z.string(),
  exitCode: z.int().nullable().optional(),
  signal: z.string().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  stdoutBytes: z.int().optional(),
  stderrBytes: z.int().optional(),
  omittedBytes: z.int().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.int().optional(),
  attempt: z.int().optional(),
  worker: z.string().optional().meta({ description: 'The zone worker that ran it' }),
  error: z.string().optional(),
  output: z.unknown().optional().meta({ description: 'Structured result (SNMP varbinds, HTTP response, cloud servers, upload checksum), at most 64 KiB of JSON; only when one host is read' }),
});

export const runHost = z
  .object({
    seq: z.int(),
    ciId: z.string(),
    name: z.string(),
    address: z.string().nullable(),
    zone: z.string(),
    status: z.enum(HOST_STATUSES),
    steps: z.record(z.string(), stepResult).meta({ description: 'Per step id; outputs only when one host is read' }),
    decision: z.object({ step: z.string(), reason: z.string(), since: z.string() }).optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'RunHost' });

export const runHostsQuery = z.strictObject({
  status: z.enum(HOST_STATUSES).optional(),
  from: z.coerce.number().int().min(0).default(0).meta({ description: 'First target position (seq)' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const hostParams = z.strictObject({ id: runId, seq: z.coerce.number().int().min(0) });

export const logLine = z.object({ id: z.string(), seq: z.int(), step: z.string(), stream: z.enum(['stdout', 'stderr', 'system']), text: z.string(), at: z.string() }).meta({ id: 'RunLogLine' });
export const logQuery = z.strictObject({
  after: z.string().regex(/^[0-9a-f]{24}$/, 'an id of a log line').optional(),
  seq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const approvalBody = z.strictObject({ step: z.union([stepId, z.literal('high-risk')]).meta({ description: "The approval step, or `high-risk` for the run's high-risk commands" }), decision: z.enum(['approved', 'rejected']), comment: z.string().max(2000).optional() }).meta({ id: 'RunApproval' });
export const decisionBody = z.strictObject({ decision: z.enum(['retry', 'skip', 'abort']), comment: z.string().max(2000).optional() }).meta({ id: 'HostDecision' });

const rendering = z.object({
  command: z.string().meta({ description: 'The command line as the host would get it, secrets masked' }),
  script: z.string().optional().meta({ description: 'The script sent on stdin, for ssh.script steps' }),
  hosts: z.int(),
  sample: z.array(z.string()).meta({ description: 'Up to 5 of the targets that would get it' }),
});

export const dryRun = z
  .object({
    runbook: z.object({ id: z.string(), version: z.int(), name: z.string(), risk: z.string() }),
    targets: z.object({
      total: z.int(),
      byZone: z.record(z.string(), z.int()),
      listed: z.array(z.object({ ciId: z.string(), name: z.string(), address: z.string().nullable(), zone: z.string() })).meta({ description: 'The first 200 targets in run order' }),
    }),
    steps: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        name: z.string().optional(),
        renderings: z.array(rendering).optional().meta({ description: 'SSH steps: what the targets would be sent, equal renderings merged (at most 20)' }),
        moreRenderings: z.int().optional(),
        unrendered: z.object({ hosts: z.int(), reason: z.string() }).optional().meta({ description: "Targets whose line uses an earlier step's output: rendered and checked on each host when it runs" }),
      }),
    ),
    risk: runRisk,
  })
  .meta({ id: 'DryRun', description: 'What a run would do, computed without running anything (docs/automation.md#dry-runs)' });
