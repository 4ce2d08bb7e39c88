import type { Connection } from 'mongoose';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import { dryRun } from '../../activities/automation/dryRun';
import { cachedRules } from '../../store/automation/highRiskRules';
import { RunRequestError } from '../../store/automation/newRun';
import { ForbiddenError, InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { dryRun as dryRunSchema, newRunBody } from '../schemas/automationRun';

export interface AutomationDryRunDeps {
  db: Connection;
  libraryReady: () => Promise<void>;
  runPolicy: RunPolicy;
  /** The shipped high-risk rules, in force until an admin changes them. */
  shippedRules: HighRiskRuleSet;
}

/** Dry runs (docs/automation.md#dry-runs): what a run would do, with nothing stored or executed. */
export function automationDryRunRoutes({ db, libraryReady, runPolicy, shippedRules }: AutomationDryRunDeps): AnyRoute[] {
  const rules = cachedRules(db, shippedRules);
  const dry = defineRoute({
    method: 'post',
    path: '/automation/runs/dry-run',
    operationId: 'dryRun',
    summary: 'What a run would do, without running it: the same checks as starting one, the targets resolved, each SSH step rendered per target, and the high-risk findings',
    tag: 'automation',
    permission: 'automation.run',
    body: newRunBody,
    responses: { 200: { description: 'The run as it would be; nothing was stored or executed', schema: dryRunSchema } },
    async handler({ body, req, res }) {
      await libraryReady();
      const principal = req.principal!;
      try {
        const request = { ...body, requestedBy: principal.username, roles: principal.roles, trigger: { type: 'manual' as const }, policy: runPolicy };
        res.json(await dryRun(db, request, await rules().catch(() => undefined)));
      } catch (error) {
        if (!(error instanceof RunRequestError)) throw error;
        if (error.kind === 'forbidden') throw new ForbiddenError(error.message);
        if (error.kind === 'not_found') throw new NotFoundError(error.message);
        throw new InputError(error.message, error.errors);
      }
    },
  });
  return [dry];
}
