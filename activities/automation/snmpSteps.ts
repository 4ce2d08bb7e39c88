import { WALK_LIMITS, type SnmpSetVarbind, type SnmpVarbind } from '../../domain/automation/snmp';
import type { SnmpGetStep, SnmpSetStep, SnmpStep, SnmpWalkStep } from '../../domain/automation/runbook';
import { parseDuration } from '../../domain/sla/policy';
import type { HostStepInput, HostStepSummary } from './hostSteps';
import { render, TemplateError } from './render';
import { get, set, SnmpNoResponse, SnmpPermanentError, type SnmpTarget, walk } from './snmpOps';
import { guarded, HostStep, type StepDeps, unlessCancelled } from './stepRecord';

/**
 * The `snmp.get`, `snmp.walk` and `snmp.set` steps on a zone worker: the target's primary_ip,
 * the CI's snmp_credential (else the step's credential), port 161 unless the step says.
 * The answer is the step's output (varbinds, or the walk's rows) with a short text in
 * stdout. No answer is `unreachable` (a SET's is `unknown`: it may have been applied); an
 * agent's refusal or a v3 authentication failure is `failed` with the agent's reason.
 * docs/automation-steps.md#snmp.
 */

export const SNMP_PORT = 161;
export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
/** Lines of stdout at most; the output keeps every varbind. */
const STDOUT_LINES = 100;

export function createSnmpStepActivities(deps: StepDeps) {
  async function runSnmpStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<SnmpStep>(deps, input);
    return guarded(step, () => snmpStep(step));
  }

  return {
    /** One SNMP step (`snmp.get`, `snmp.walk`, `snmp.set`) on one target. */
    runSnmpStep,
  };
}

async function snmpStep(step: HostStep<SnmpStep>): Promise<HostStepSummary> {
  const { host } = step;
  const definition = step.step;
  let request: Request;
  try {
    request = requestOf(definition, step.context);
  } catch (error) {
    if (error instanceof TemplateError || error instanceof SnmpPermanentError) return step.fail(error.message);
    throw error;
  }
  const credentialId = host.snmpCredential ?? definition.credential;
  if (!credentialId) return step.fail(`${host.name} has no snmp_credential in the CMDB and step ${definition.id} names no credential: set one on the CI or give the step a credential`);
  const credential = await step.credential(credentialId);
  if (!host.address) return step.finish({ status: 'unreachable', error: `${host.name} has no primary_ip in the CMDB` });

  const target: SnmpTarget = { address: host.address, port: definition.port ?? SNMP_PORT, timeoutMs: definition.requestTimeout ? parseDuration(definition.requestTimeout) : DEFAULT_REQUEST_TIMEOUT_MS };
  await step.start();
  step.say(`${definition.type} ${request.describe} at ${target.address}:${target.port} with credential ${credential.name}`);
  try {
    const answer = await unlessCancelled(request.send(target, credential, Math.max(WALK_LIMITS.deadlineMs.min, step.remainingMs())), step.signal);
    return step.finish({ status: 'succeeded', output: answer.output, stdout: answer.text });
  } catch (error) {
    if (error instanceof SnmpNoResponse) {
      // A SET that got no answer may have been applied: an operator decides, unless the step says it may be sent again.
      const status = definition.type === 'snmp.set' && !step.plan.idempotent ? 'unknown' : 'unreachable';
      return step.retryOr(status, error.message, 'SnmpNoResponse');
    }
    if (error instanceof SnmpPermanentError) return step.fail(error.message);
    throw error;
  }
}

interface Request {
  describe: string;
  send(target: SnmpTarget, credential: Parameters<typeof get>[1], remainingMs: number): Promise<{ output: unknown; text: string }>;
}

/** The step's inputs rendered for this target; OIDs and values are checked by the operations themselves. */
function requestOf(step: SnmpStep, context: object): Request {
  const text = (value: string) => render(value, context, 'text').trim();
  switch (step.type) {
    case 'snmp.get': {
      const oids = (step as SnmpGetStep).oids.map(text);
      return {
        describe: oids.length === 1 ? oids[0]! : `${oids.length} OIDs`,
        send: async (target, credential) => {
          const varbinds = await get(target, credential, oids);
          return { output: { varbinds }, text: lines(varbinds) };
        },
      };
    }
    case 'snmp.walk': {
      const walkStep = step as SnmpWalkStep;
      const root = text(walkStep.oid);
      return {
        describe: `under ${root}`,
        send: async (target, credential, remainingMs) => {
          const deadlineMs = Math.min(walkStep.deadline ? parseDuration(walkStep.deadline) : WALK_LIMITS.deadlineMs.default, remainingMs, WALK_LIMITS.deadlineMs.max);
          const result = await walk(target, credential, root, { maxRows: walkStep.maxRows, maxRepetitions: walkStep.maxRepetitions, deadlineMs });
          const head = `${result.rows.length} rows under ${result.root}${result.truncated ? ` (stopped by ${result.stoppedBy})` : ''}, ${result.requests} requests`;
          return { output: result, text: `${head}\n${lines(result.rows)}` };
        },
      };
    }
    case 'snmp.set': {
      const varbinds: SnmpSetVarbind[] = (step as SnmpSetStep).varbinds.map((v) => ({ ...v, oid: text(v.oid), value: typeof v.value === 'string' ? render(v.value, context, 'text') : v.value }));
      return {
        describe: varbinds.map((v) => v.oid).join(', '),
        send: async (target, credential) => {
          const answer = await set(target, credential, varbinds);
          return { output: { varbinds: answer }, text: lines(answer) };
        },
      };
    }
  }
}

/** `oid = value (type)` per varbind, the first STDOUT_LINES of them. */
function lines(varbinds: readonly SnmpVarbind[]): string {
  const shown = varbinds.slice(0, STDOUT_LINES).map((v) => `${v.oid} = ${v.error ?? (v.value === null ? 'null' : String(v.value))} (${v.type})`);
  if (varbinds.length > STDOUT_LINES) shown.push(`… ${varbinds.length - STDOUT_LINES} more in the output`);
  return `${shown.join('\n')}\n`;
}
