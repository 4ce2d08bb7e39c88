import { createHash } from 'node:crypto';
import {
  CLOUD_SERVER_STATUSES,
  CloudError,
  type CloudProvider,
  type CloudServer,
  type CloudServerStatus,
  type CloudStepType,
  matchesListStep,
  resizeOutcome,
} from '../../domain/automation/cloud';
import type { CloudServerStep } from '../../domain/automation/runbook';
import type { ResolvedCredential } from '../../domain/credential';
import type { OpenStackOptions } from '../cloud/openstack';
import { createCloudProvider } from '../cloud/provider';
import { waitForStatus, type WaitProgress } from '../cloud/wait';
import type { HostStepInput, HostStepSummary } from './hostSteps';
import { render, TemplateError } from './render';
import { guarded, HostStep, type StepDeps } from './stepRecord';

/**
 * The `cloud.server.*` steps on a zone worker, in the cloud account their `credential` names
 * (an `openstack_password` credential holds the account's settings and password). One
 * provider is kept per credential on a worker, so its Keystone token is reused across steps
 * and runs until it expires or the credential changes.
 *
 * CloudError kinds become results as docs/automation-cloud.md says: permanent ones `failed`
 * with the cloud's message (`timeout`: `timed_out`); transient ones (rate_limited,
 * unavailable, unreachable) are tried again when the step is idempotent and no action was
 * accepted yet, else `failed` (`unreachable`: nothing was sent); `outcome_unknown` (an
 * action sent without an answer) is `unknown`, which the run turns into an operator's
 * decision. The wait heartbeats with its progress; a retried attempt resumes after the
 * actions the previous one had got accepted. docs/automation-steps.md#cloud.
 */

export interface CloudStepSettings {
  /** Between polls of a server while waiting for it (default 5 000 ms). */
  pollIntervalMs?: number;
  /** One HTTP request's time limit (default 30 000 ms). */
  requestTimeoutMs?: number;
}

/** Providers kept per worker at most; the least recently used goes first. */
const PROVIDERS_KEPT = 100;
const ALL_BUT_GONE: CloudServerStatus[] = CLOUD_SERVER_STATUSES.filter((s) => s !== 'error' && s !== 'deleted');

/** What an attempt leaves in its heartbeat: the actions accepted so far (with their results), and the wait's progress. */
interface Progress {
  accepted: Record<string, unknown>;
  wait?: { attempt: number; elapsedMs: number; status: string | null; task: string | null; error: string | null };
}

export function createCloudStepActivities(deps: StepDeps, settings: CloudStepSettings = {}) {
  const providers = new Map<string, { fingerprint: string; provider: CloudProvider }>();

  /** The provider for a credential: the kept one while the credential is unchanged. */
  function providerFor(credential: ResolvedCredential): CloudProvider {
    if (credential.kind !== 'openstack_password') throw new CloudError('invalid_settings', `credential ${credential.name} is ${credential.kind}, not a cloud account (openstack_password)`);
    const { authUrl, username, password, userDomain, projectName, projectDomain, region, interface: endpointInterface } = credential;
    const openstack = { authUrl, username, password, userDomain, projectName, projectDomain, ...(region && { region }), ...(endpointInterface && { interface: endpointInterface }) };
    const fingerprint = createHash('sha256').update(JSON.stringify(openstack)).digest('hex');
    const kept = providers.get(credential.id);
    if (kept && kept.fingerprint === fingerprint) {
      providers.delete(credential.id);
      providers.set(credential.id, kept);
      return kept.provider;
    }
    const options: OpenStackOptions = settings.requestTimeoutMs ? { requestTimeoutMs: settings.requestTimeoutMs } : {};
    const provider = createCloudProvider('openstack', openstack, options);
    providers.delete(credential.id);
    providers.set(credential.id, { fingerprint, provider });
    if (providers.size > PROVIDERS_KEPT) providers.delete(providers.keys().next().value!);
    return provider;
  }

  async function runCloudStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<CloudServerStep>(deps, input);
    return guarded(step, () => cloudStep(step));
  }

  async function cloudStep(step: HostStep<CloudServerStep>): Promise<HostStepSummary> {
    const definition = step.step;
    let server: string | undefined;
    try {
      server = 'server' in definition ? render(definition.server, step.context, 'text').trim() : undefined;
    } catch (error) {
      if (error instanceof TemplateError) return step.fail(error.message);
      throw error;
    }
    if (server === '') return step.fail(`the server id of step ${definition.id} came out empty for ${step.host.name}: does the CI have the attribute the template names?`);
    const credential = await step.credential(definition.credential);
    let provider: CloudProvider;
    try {
      provider = providerFor(credential);
    } catch (error) {
      if (error instanceof CloudError) return step.fail(error.message);
      throw error;
    }

    const previous = step.previous as Progress | undefined;
    const progress: Progress = { accepted: { ...(previous && typeof previous.accepted === 'object' ? previous.accepted : {}) } };
    await step.start();
    step.say(`${definition.type}${server ? ` on server ${server}` : ''} ${credential.kind === 'openstack_password' ? ` as ${credential.username} in project ${credential.projectName}` : ''}`);
    if (Object.keys(progress.accepted).length) step.say(`resuming after ${Object.keys(progress.accepted).join(', ')}, accepted by the cloud in attempt ${step.attempt - 1}`);

    const signal = step.signal;
    /** An action the cloud accepts once: skipped when an earlier attempt got it accepted. */
    const once = async <T>(name: string, act: () => Promise<T>): Promise<T> => {
      if (name in progress.accepted) return progress.accepted[name] as T;
      const result = await act();
      progress.accepted[name] = result ?? null;
      step.beat(progress);
      step.say(`${name} accepted`);
      return result;
    };
    const until = (statuses: CloudServerStatus | CloudServerStatus[]) =>
      waitForStatus(provider, server!, statuses, {
        timeoutMs: Math.max(1000, step.remainingMs() - 5_000),
        ...(settings.pollIntervalMs !== undefined && { intervalMs: settings.pollIntervalMs }),
        signal,
        onProgress: (p: WaitProgress) => {
          progress.wait = { attempt: p.attempt, elapsedMs: p.elapsedMs, status: p.server?.providerStatus ?? null, task: p.server?.task ?? null, error: p.error };
          step.beat(progress);
        },
      });
    const waits = definition.type !== 'cloud.server.list' && definition.wait !== false;

    try {
      const output = await perform(definition, provider, server!, { once, until, waits, signal, context: step.context });
      return step.finish({ status: 'succeeded', output, stdout: describeOutput(definition.type, output) });
    } catch (error) {
      if (signal.aborted) return step.cancelled();
      if (!(error instanceof CloudError)) throw error;
      const detail = { errorKind: error.kind, ...(error.detail.status !== undefined && { httpStatus: error.detail.status }), ...(error.detail.requestId && { requestId: error.detail.requestId }), accepted: Object.keys(progress.accepted) };
      if (error.kind === 'outcome_unknown') return step.finish({ status: 'unknown', error: error.message, output: detail });
      if (error.retryable && Object.keys(progress.accepted).length === 0 && step.plan.idempotent) {
        return step.retryOr(error.kind === 'unreachable' ? 'unreachable' : 'failed', error.message, error.type, error.detail.retryAfterMs);
      }
      return step.finish({ status: error.kind === 'timeout' ? 'timed_out' : error.kind === 'unreachable' && Object.keys(progress.accepted).length === 0 ? 'unreachable' : 'failed', error: error.message, output: detail });
    }
  }

  return {
    /** One `cloud.server.*` step for one target. */
    runCloudStep,
  };
}

interface Actions {
  once<T>(name: string, act: () => Promise<T>): Promise<T>;
  until(statuses: CloudServerStatus | CloudServerStatus[]): Promise<CloudServer>;
  waits: boolean;
  signal: AbortSignal;
  context: object;
}

/** The step's actions and waits; returns its output (CloudStepOutputs). */
async function perform(step: CloudServerStep, provider: CloudProvider, server: string, { once, until, waits, signal, context }: Actions): Promise<unknown> {
  const options = { signal };
  const after = async (statuses: CloudServerStatus | CloudServerStatus[]) => ({ server: waits ? await until(statuses) : null });
  switch (step.type) {
    case 'cloud.server.list': {
      const name = step.name === undefined ? undefined : render(step.name, context, 'text');
      const servers = (await provider.listServers(options)).filter((s) => matchesListStep(s, { ...step, name }));
      return { servers };
    }
    case 'cloud.server.start':
      await once('start', () => provider.start(server, options));
      return after('running');
    case 'cloud.server.stop':
      await once('stop', () => provider.stop(server, options));
      return after('stopped');
    case 'cloud.server.reboot':
      await once('reboot', () => provider.reboot(server, step.reboot ?? 'soft', options));
      return after('running');
    case 'cloud.server.resize': {
      if ('settle' in step && step.settle) {
        await once(step.settle, () => (step.settle === 'confirm' ? provider.confirmResize(server, options) : provider.revertResize(server, options)));
        return after('running');
      }
      const flavor = render((step as { flavor: string }).flavor, context, 'text').trim();
      await once('resize', () => provider.resize(server, flavor, options));
      if (!waits) return { server: null };
      const resized = await until(['resized', 'running']);
      const outcome = resizeOutcome(resized, flavor);
      if (outcome === 'not_resized') throw new CloudError('server_failed', `server ${resized.name} (${server}) was not resized: it is ${resized.status} with flavor ${resized.flavor}, not ${flavor}${resized.fault ? ` (${resized.fault.message})` : ''}`);
      if (outcome === 'awaiting_confirmation' && provider.resizeNeedsConfirmation && (step as { confirm?: boolean }).confirm !== false) {
        await once('confirm', () => provider.confirmResize(server, options));
        return { server: await until('running') };
      }
      return { server: resized };
    }
    case 'cloud.server.snapshot': {
      const name = render(step.name, context, 'text').trim();
      const metadata = Object.fromEntries(Object.entries(step.metadata ?? {}).map(([key, value]) => [key, render(value, context, 'text')]));
      const { imageId } = await once('snapshot', () => provider.snapshot(server, { name, metadata }, options));
      return { ...(await after(ALL_BUT_GONE)), imageId };
    }
  }
}

function describeOutput(type: CloudStepType, output: unknown): string {
  const shown = (s: CloudServer | null) => (s ? `${s.name} (${s.id}) is ${s.status} (${s.providerStatus}), flavor ${s.flavor}` : 'accepted; not waited for');
  const value = output as { server?: CloudServer | null; servers?: CloudServer[]; imageId?: string };
  if (type === 'cloud.server.list') return `${value.servers!.length} servers\n${value.servers!.map((s) => `${s.name} (${s.id}): ${s.status}`).join('\n')}\n`;
  return `${shown(value.server ?? null)}${value.imageId ? `; image ${value.imageId}` : ''}\n`;
}
