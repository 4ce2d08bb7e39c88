import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { maskSecrets, OutputCapture } from '../../domain/automation/output';
import type { StepPlan, StepStatus } from '../../domain/automation/run';
import type { RunbookStep } from '../../domain/automation/runbook';
import { storedOutput } from '../../domain/automation/stepOutput';
import type { ResolvedCredential } from '../../domain/credential';
import type { MasterKeySource } from '../../runtime/masterKey';
import { type HostDocument, setHostStatus, type StepResult, stepWritesFor } from '../../store/automation/runs';
import { CredentialNotFoundError } from '../../store/credentials';
import { CredentialCache } from './credentialCache';
import { retryTransient } from '../../store/transient';
import { Heartbeat } from './heartbeat';
import type { HostStepInput, HostStepSummary } from './hostSteps';
import { LiveLog } from './liveLog';
import { type RunContext, RunContexts, type TemplateContext } from './runContext';

/**
 * What every host step activity does around its own work: load the run and host, know its
 * attempt and deadline, keep a live log, heartbeat, and record one StepResult in the store
 * (outputs masked and capped) while the workflow gets only the status. Its own store reads
 * and writes are tried again while the store is busy: a step whose outcome is known, or
 * that has not reached the host yet, must not become an unknown outcome over bookkeeping.
 */

export interface StepDeps {
  db: Connection;
  masterKey: MasterKeySource;
  contexts: RunContexts;
  credentials: CredentialCache;
  /** Recorded with every step (host name and pid by default). */
  worker: string;
}

export function stepDeps(db: Connection, masterKey: MasterKeySource, worker: string): StepDeps {
  return { db, masterKey, contexts: new RunContexts(db, masterKey), credentials: new CredentialCache(db, masterKey), worker };
}

export type StepOutcome = Omit<StepResult, 'startedAt' | 'finishedAt' | 'durationMs' | 'attempt' | 'worker'>;

/**
 * A host is shown `running` once its step has run this long; a quicker step writes the
 * status with its result, one write instead of two (thousands of hosts, each a write).
 */
const RUNNING_AFTER_MS = 1000;

/** The activity was cancelled (the run was): recorded, then reported to Temporal as such. */
export class StepCancelled extends Error {
  override readonly name = 'StepCancelled';
}

/**
 * Temporal gave up on this attempt before it reached the host (its heartbeat timed out, or
 * the run went on without it): nothing is sent and nothing recorded, the run has moved on.
 */
export class StepAbandoned extends Error {
  override readonly name = 'StepAbandoned';
}

export class HostStep<S extends RunbookStep> {
  readonly startedAt = new Date();
  private readonly activity = Context.current();
  readonly attempt = this.activity.info.attempt;
  readonly signal = this.activity.cancellationSignal;
  /** Values masked wherever this step's output goes (the run's secret parameters, credentials). */
  readonly secrets: string[];
  private log?: LiveLog;
  /** Set while the host, `pending` when the step began, is not yet shown `running`. */
  private runningTimer?: NodeJS.Timeout;
  private runningWrite?: Promise<void>;

  constructor(
    private readonly deps: StepDeps,
    readonly input: HostStepInput,
    readonly run: RunContext,
    readonly host: HostDocument,
    readonly context: TemplateContext,
    private readonly heartbeat: Heartbeat,
  ) {
    this.secrets = [...run.secrets];
  }

  /** Beats from the first moment: a step waiting for a busy store is not a dead worker. */
  static async begin<S extends RunbookStep>(deps: StepDeps, input: HostStepInput): Promise<HostStep<S>> {
    const heartbeat = new Heartbeat();
    try {
      const { run, host, context } = await retryTransient(() => deps.contexts.forHost(input.runId, input.seq), Context.current().cancellationSignal);
      return new HostStep<S>(deps, input, run, host, context, heartbeat);
    } catch (error) {
      heartbeat.stop();
      throw error;
    }
  }

  get step(): S {
    return this.run.definition.steps[this.input.step] as S;
  }

  get plan(): StepPlan {
    return this.run.plans[this.input.step]!;
  }

  /** No attempt follows this one: the step is not idempotent, or its retries are used up. */
  get lastAttempt(): boolean {
    return this.attempt > this.plan.retries;
  }

  /** Time this attempt may take: the step's timeout, or what is left of the host's. */
  get deadlineMs(): number {
    return Math.min(this.plan.timeoutMs, this.input.hostDeadlineMs ?? Infinity);
  }

  /** Time left of the deadline. */
  remainingMs(): number {
    return this.deadlineMs - (Date.now() - this.startedAt.getTime());
  }

  /** The credential with its secret; its secret values are masked from now on. Throws CredentialNotFoundError. */
  async credential(id: string): Promise<ResolvedCredential> {
    const credential = await this.deps.credentials.get(id);
    this.secrets.push(...secretsOf(credential));
    return credential;
  }

  /** The host is being worked on: its status (RUNNING_AFTER_MS from now, or with the result) and a live log. */
  async start(): Promise<void> {
    this.goOn();
    if (this.host.status === 'pending') {
      this.runningTimer = setTimeout(() => {
        this.runningTimer = undefined;
        // An attempt Temporal gave up on leaves the host to the run (which may be asking an operator about it).
        if (this.signal.aborted) return;
        this.runningWrite = retryTransient(() => setHostStatus(this.deps.db, this.input.runId, [this.input.seq], 'running', { startedAt: this.startedAt.toISOString() })).catch(() => undefined);
      }, RUNNING_AFTER_MS);
    }
    this.log = new LiveLog(this.deps.db, this.input.runId, this.input.seq, this.step.id, this.secrets);
    this.say(`${this.step.name ?? this.step.id} (${this.step.type}) on ${this.host.name}${this.host.address ? ` (${this.host.address})` : ''}, attempt ${this.attempt}`);
  }

  /**
   * Throws unless the step may still reach the host: StepCancelled when the run was
   * cancelled, StepAbandoned when Temporal no longer waits for this attempt. Called before
   * anything is sent.
   */
  goOn(): void {
    if (!this.signal.aborted) return;
    if (this.abandoned) throw new StepAbandoned('Temporal no longer waits for this attempt (its heartbeat timed out, or the run went on without it); nothing was sent to the host');
    throw new StepCancelled('the run was cancelled');
  }

  /** Temporal gave up on this attempt (timed out, or no longer known): the run has moved on without it. */
  get abandoned(): boolean {
    const why = this.activity.cancellationDetails;
    return this.signal.aborted && Boolean(why?.timedOut || why?.notFound);
  }

  /** Heartbeat details now (Temporal keeps them for a retried attempt) and at every beat. */
  beat(progress: unknown): void {
    this.heartbeat.beat(progress);
  }

  /** Heartbeat details the previous attempt left, if any. */
  get previous(): unknown {
    return this.attempt > 1 ? this.activity.info.heartbeatDetails : undefined;
  }

  /** A chunk of the command's output, for the live log (masked there, in whole lines). */
  output(stream: 'stdout' | 'stderr', chunk: string): void {
    this.log?.push(stream, chunk);
  }

  /** A line of the step's own for the live log (written with the next flush). */
  say(text: string): void {
    this.log?.system(maskSecrets(text, this.secrets));
  }

  /** Records the result (masked, output capped) and tells the workflow its status. */
  async finish(outcome: StepOutcome): Promise<HostStepSummary> {
    const finishedAt = new Date();
    const text = (value: string | undefined) => (value === undefined ? undefined : capped(maskSecrets(value, this.secrets)));
    const result: StepResult = {
      ...outcome,
      ...(outcome.stdout !== undefined && { stdout: text(outcome.stdout) }),
      ...(outcome.stderr !== undefined && { stderr: text(outcome.stderr) }),
      ...(outcome.error !== undefined && { error: maskSecrets(outcome.error, this.secrets) }),
      ...(outcome.output !== undefined && { output: storedOutput(outcome.output, this.secrets) }),
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - this.startedAt.getTime(),
      attempt: this.attempt,
      worker: this.deps.worker,
    };
    if (this.log) this.say(outcome.error ? `${outcome.status}: ${outcome.error}` : outcome.status);
    const running = this.runningWith();
    // FerretDB rewrites the whole document on an update: two at once on one host would lose one.
    await this.runningWrite;
    await retryTransient(() => stepWritesFor(this.deps.db).record(this.input.runId, this.input.seq, this.step.id, result, running));
    await this.close();
    return { status: outcome.status, ...(outcome.exitCode !== undefined && { exitCode: outcome.exitCode }) };
  }

  /** Records `cancelled` and fails the activity as cancelled (a cancelled run's step). */
  async cancelled(detail = 'the run was cancelled'): Promise<never> {
    await this.finish({ status: 'cancelled', error: detail });
    throw ApplicationFailure.nonRetryable(detail, 'Cancelled');
  }

  /**
   * A transient failure: another attempt when one follows (after `delayMs` when the other
   * side said how long), else null and the caller records `status`.
   */
  async retryOr(status: StepStatus, message: string, type: string, delayMs?: number): Promise<HostStepSummary> {
    if (!this.lastAttempt) {
      this.say(`attempt ${this.attempt} of ${this.plan.retries + 1}: ${message}; trying again`);
      await this.close();
      throw ApplicationFailure.create({ message: maskSecrets(message, this.secrets), type, nonRetryable: false, ...(delayMs !== undefined && { nextRetryDelay: Math.max(1000, Math.min(delayMs, 300_000)) }) });
    }
    return this.finish({ status, error: message });
  }

  /** Fails the step with `message`: bad input, a missing or wrong credential. */
  fail(message: string, output?: unknown): Promise<HostStepSummary> {
    return this.finish({ status: 'failed', error: message, ...(output !== undefined && { output }) });
  }

  /** The host's `running` status for the result's write, unless the timer has written it (close() waits for that write too: it must not land after the run's next status). */
  private runningWith(): Partial<HostDocument> {
    if (!this.runningTimer) return {};
    clearTimeout(this.runningTimer);
    this.runningTimer = undefined;
    return { status: 'running', startedAt: this.startedAt.toISOString() };
  }

  async close(): Promise<void> {
    this.heartbeat.stop();
    clearTimeout(this.runningTimer);
    this.runningTimer = undefined;
    await this.runningWrite;
    const log = this.log;
    this.log = undefined;
    await log?.close();
  }
}

/** Runs `work` for a step, turning the errors every step shares into results: a missing credential, a cancelled run. */
export async function guarded<S extends RunbookStep>(step: HostStep<S>, work: () => Promise<HostStepSummary>): Promise<HostStepSummary> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CredentialNotFoundError) return step.fail(error.message);
    if (error instanceof StepAbandoned || (step.abandoned && !(error instanceof ApplicationFailure))) throw ApplicationFailure.nonRetryable((error as Error).message, 'Abandoned');
    if (error instanceof StepCancelled || (step.signal.aborted && !(error instanceof ApplicationFailure))) return step.cancelled();
    throw error;
  } finally {
    await step.close();
  }
}

/** Rejects with StepCancelled as soon as `signal` aborts; `work` goes on unobserved (it is bounded by its own deadline). */
export function unlessCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new StepCancelled('the run was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StepCancelled('the run was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The secret values of a credential, to mask wherever output goes. */
export function secretsOf(credential: ResolvedCredential): string[] {
  return Object.entries(credential).flatMap(([field, value]) => (typeof value === 'string' && ['password', 'passphrase', 'privateKey', 'authKey', 'privKey', 'community', 'token'].includes(field) ? [value] : []));
}

function capped(text: string): string {
  const capture = new OutputCapture();
  capture.push(text);
  return capture.result().text;
}
