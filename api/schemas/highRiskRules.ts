import { z } from 'zod';
import { MAX_SCRIPT_LENGTH, POLICY_ACTIONS, RULE_SCOPES, SEVERITIES } from '../../domain/automation/highRisk';

const severity = z.enum(SEVERITIES);

/** The shape as documented; unknown fields pass through to the domain's validateRuleSet, which checks it fully (patterns, examples, no unknown fields). */
export const highRiskRuleSet = z
  .looseObject({
    policy: z.object({ critical: z.enum(POLICY_ACTIONS), high: z.enum(POLICY_ACTIONS), medium: z.enum(POLICY_ACTIONS) }),
    rules: z.array(
      z.looseObject({
        id: z.string(),
        severity,
        description: z.string(),
        pattern: z.string().meta({ description: 'A JavaScript regular expression matched against canonical command forms' }),
        ignoreCase: z.boolean().optional(),
        scope: z.enum(RULE_SCOPES).optional(),
        examples: z.array(z.string()).optional().meta({ description: 'Must be flagged by this rule' }),
        counterExamples: z.array(z.string()).optional().meta({ description: 'Must not be flagged by it' }),
      }),
    ),
  })
  .meta({ id: 'HighRiskRuleSet', description: 'docs/automation-safety.md#rule-file' });

export const rulesInForce = z
  .object({
    ruleSet: highRiskRuleSet,
    revision: z.int().meta({ description: '0: the shipped file, catalog/automation/high-risk-rules.yaml' }),
    source: z.enum(['shipped', 'edited']),
    updatedBy: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .meta({ id: 'HighRiskRulesInForce' });

export const checkBody = z
  .strictObject({
    script: z.string().max(MAX_SCRIPT_LENGTH),
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name'), z.string()).optional().meta({ description: 'Values passed as environment variables' }),
  })
  .meta({ id: 'HighRiskCheckRequest' });

export const checkResult = z
  .object({
    decision: z.enum(['allow', 'approval', 'block']),
    findings: z.array(z.object({ ruleId: z.string(), severity, description: z.string(), line: z.int(), text: z.string(), form: z.string().optional() })),
  })
  .meta({ id: 'HighRiskCheckResult' });
