import type { Connection } from 'mongoose';
import type { Answers } from '../../domain/catalogItem';
import { stepPlans, type StepPlan } from '../../domain/automation/run';
import type { RunRisk } from '../../domain/automation/risk';
import type { MasterKeySource } from '../../runtime/masterKey';
import { findHost, findRun, type HostDocument, type RunDocument } from '../../store/automation/runs';
import { openRunSecrets } from '../../store/automation/runSecrets';

/** A run as its activities need it: the pinned definition and scripts, parameters with secrets opened. */
export interface RunContext {
  id: string;
  definition: RunDocument['definition'];
  scripts: RunDocument['scripts'];
  credential?: string;
  params: Answers;
  /** Values to mask wherever output is stored or shown. */
  secrets: string[];
  plans: StepPlan[];
  /** The high-risk findings of the run as prepared (and approved, when it needed approval). */
  risk?: RunRisk;
}

/** At most this many runs are remembered per worker; a run's definition never changes, so no staleness. */
const REMEMBERED_RUNS = 50;

export class RunContexts {
  private readonly runs = new Map<string, Promise<RunContext>>();

  constructor(
    private readonly db: Connection,
    private readonly masterKey: MasterKeySource,
  ) {}

  run(runId: string): Promise<RunContext> {
    let found = this.runs.get(runId);
    if (!found) {
      found = this.load(runId);
      found.catch(() => this.runs.delete(runId));
      if (this.runs.size >= REMEMBERED_RUNS) this.runs.delete(this.runs.keys().next().value!);
      this.runs.set(runId, found);
    }
    return found;
  }

  /** The run, the host, and what templates see: params, target, earlier steps' results. */
  async forHost(runId: string, seq: number): Promise<{ run: RunContext; host: HostDocument; context: TemplateContext }> {
    const [run, host] = await Promise.all([this.run(runId), findHost(this.db, runId, seq)]);
    if (!host) throw new Error(`run ${runId} has no target #${seq}`);
    return { run, host, context: templateContext(run, host) };
  }

  private async load(runId: string): Promise<RunContext> {
    const doc = await findRun(this.db, runId);
    if (!doc) throw new Error(`no run ${runId}`);
    const secret = doc.sealedParams ? openRunSecrets(await this.masterKey(), runId, doc.sealedParams) : {};
    return {
      id: runId,
      definition: doc.definition,
      scripts: doc.scripts,
      credential: doc.credential,
      params: { ...doc.params, ...secret },
      secrets: Object.values(secret).map(String),
      plans: stepPlans(doc.definition),
      ...(doc.risk && { risk: doc.risk }),
    };
  }
}

export interface TemplateContext {
  params: Answers;
  /** `attributes`: the CI attributes the run kept (TARGET_ATTRIBUTES in domain/automation/run.ts). */
  target: { id: string; name: string; address: string | null; zone: string; attributes: Record<string, string | number | boolean> };
  /** `output`: the step's structured result (null for steps that have none). */
  steps: Record<string, { status: string; exitCode: number | null; stdout: string; stderr: string; output: unknown }>;
  run: { id: string };
}

/** Every declared parameter is present (empty when not given), so strict templates fail only on typos. */
export function templateContext(run: RunContext, host: HostDocument): TemplateContext {
  const declared = Object.fromEntries(Object.keys(run.definition.parameters?.properties ?? {}).map((name) => [name, '']));
  return {
    params: { ...declared, ...run.params },
    target: { id: host.ciId, name: host.name, address: host.address, zone: host.zone, attributes: host.attributes ?? {} },
    steps: Object.fromEntries(
      Object.entries(host.steps ?? {}).map(([id, result]) => [id, { status: result.status, exitCode: result.exitCode ?? null, stdout: (result.stdout ?? '').trim(), stderr: (result.stderr ?? '').trim(), output: result.output ?? null }]),
    ),
    run: { id: run.id },
  };
}
