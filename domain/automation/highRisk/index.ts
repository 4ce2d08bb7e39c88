/**
 * The high-risk command check of the automation center (issue 6, safety rails): rules as
 * data, a rendered script read the way the shell reads it, and block or four-eyes approval
 * by severity. docs/automation-safety.md.
 */

export { checkScript, checkScriptFailClosed, decide, MAX_SCRIPT_LENGTH, validateRuleSet, type CheckOptions, type CheckResult, type Decision, type Finding, type RuleSetValidation } from './check';
export { compact } from './forms';
export { normalizeArg } from './paths';
export {
  BUILT_IN_IDS,
  describeProblem,
  POLICY_ACTIONS,
  RULE_ID,
  RULE_SCOPES,
  SEVERITIES,
  type HighRiskRule,
  type HighRiskRuleSet,
  type PolicyAction,
  type RuleScope,
  type RuleSetProblem,
  type Severity,
} from './ruleSet';
