import type { Response } from 'express';
import type { Connection } from 'mongoose';
import { checkScriptFailClosed, describeProblem, type HighRiskRuleSet, validateRuleSet } from '../../domain/automation/highRisk';
import { replaceRules, type RulesInForce, rulesInForce } from '../../store/automation/highRiskRules';
import type { AuditRecorder } from '../audit';
import { InputError, PreconditionFailedError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { checkBody, checkResult, highRiskRuleSet, rulesInForce as rulesSchema } from '../schemas/highRiskRules';
import { expectedVersion } from '../ticketAccess';

const TAG = 'automation';
const ETAG = { ETag: 'Revision tag for If-Match' };

export interface AutomationSafetyDeps {
  db: Connection;
  audit: AuditRecorder;
  /** The shipped rules (catalog/automation/high-risk-rules.yaml), in force until an admin changes them. */
  shippedRules: HighRiskRuleSet;
}

/** The high-risk command rules (docs/automation-safety.md#editing-the-rules): read, try, and change by admins. */
export function automationSafetyRoutes({ db, audit, shippedRules }: AutomationSafetyDeps): AnyRoute[] {
  const send = (res: Response, rules: RulesInForce) => res.setHeader('ETag', `"${rules.revision}"`).json(rules);

  const get = defineRoute({
    method: 'get',
    path: '/automation/high-risk-rules',
    operationId: 'getHighRiskRules',
    summary: 'The high-risk command rules in force: the shipped file until an admin changes them',
    tag: TAG,
    permission: 'automation.read',
    responses: { 200: { description: 'The rules in force', schema: rulesSchema, headers: ETAG } },
    async handler({ res }) {
      send(res, await rulesInForce(db, shippedRules));
    },
  });

  const replace = defineRoute({
    method: 'put',
    path: '/automation/high-risk-rules',
    operationId: 'replaceHighRiskRules',
    summary: "Replace the high-risk command rules; every pattern must compile and every rule must flag its examples and none of its counter-examples. In force for every step checked from now on, running runs included",
    tag: TAG,
    permission: 'automation.rules',
    body: highRiskRuleSet,
    headers: { 'If-Match': 'ETag of the revision the change is based on (optional)' },
    responses: { 200: { description: 'The rules now in force', schema: rulesSchema, headers: ETAG } },
    async handler({ body, req, res }) {
      const validation = validateRuleSet(body);
      if (!validation.ok) {
        throw new InputError(
          `the rule set has ${validation.problems.length} problem${validation.problems.length === 1 ? '' : 's'}; nothing was changed`,
          validation.problems.map((p) => ({ field: `body.${p.path.replace(/\[(\d+)\]/g, '.$1')}`, message: describeProblem(p) })),
        );
      }
      const current = await rulesInForce(db, shippedRules);
      const expected = expectedVersion(req);
      const stale = () => new PreconditionFailedError(`the high-risk rules changed since revision ${expected ?? current.revision}; read them again and reapply your change`);
      if (expected !== undefined && expected !== current.revision) throw stale();
      const saved = await replaceRules(db, current.revision, validation.ruleSet, req.principal!.username);
      if (!saved) throw stale();
      await audit(req, { action: 'automation.rules.update', target: { type: 'high_risk_rules', id: 'current' }, outcome: 'success', detail: `revision ${saved.revision}: ${saved.ruleSet.rules.length} rules, policy ${Object.entries(saved.ruleSet.policy).map(([s, a]) => `${s} ${a}`).join(', ')}` });
      send(res, saved);
    },
  });

  const check = defineRoute({
    method: 'post',
    path: '/automation/high-risk-rules/check',
    operationId: 'checkHighRiskScript',
    summary: 'Check a script against the rules in force, as a run would before executing it; nothing runs',
    tag: TAG,
    permission: 'automation.read',
    body: checkBody,
    responses: { 200: { description: 'The decision and the findings', schema: checkResult } },
    async handler({ body, res }) {
      const { ruleSet } = await rulesInForce(db, shippedRules);
      res.json(checkScriptFailClosed(body.script, ruleSet, { variables: body.variables ?? {} }));
    },
  });

  return [get, replace, check];
}
