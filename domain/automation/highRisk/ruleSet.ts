/**
 * The high-risk command rules as data: what a rule is, what each severity leads to, and
 * the checks a rule set passes before it is used. Admins edit rules through the API, so a
 * rule set arrives as plain data and every mistake comes back as a problem that names the
 * rule (index and id), the field and what to change. docs/automation-safety.md.
 */

export const SEVERITIES = ['critical', 'high', 'medium'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `approval` is four-eyes: the run waits until a second person approves it. */
export const POLICY_ACTIONS = ['block', 'approval'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * What a pattern is matched against: `command`, each canonical command of the script
 * (one line per simple command, pipelines also joined with ` | `); `line`, each line and the
 * whole script with quotes, backslashes and whitespace removed, for shapes such as a fork bomb.
 */
export const RULE_SCOPES = ['command', 'line'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

export const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const RULE_ID_MAX = 64;
/** Findings the check makes itself; no rule may take these ids. */
export const BUILT_IN_IDS = ['check-failed', 'check-incomplete'] as const;

export interface HighRiskRule {
  id: string;
  /** Shown to the operator with the finding: what the command does and why it is risky. */
  description: string;
  severity: Severity;
  /** A JavaScript regular expression, without slashes or flags. */
  pattern: string;
  ignoreCase?: boolean;
  scope?: RuleScope;
  /** Scripts this rule must flag; checked whenever the rule set is validated. */
  examples?: string[];
  /** Scripts this rule must not flag: the commands it is easily confused with. */
  counterExamples?: string[];
}

export interface HighRiskRuleSet {
  policy: Record<Severity, PolicyAction>;
  rules: HighRiskRule[];
}

/** One mistake in a rule set. `path` is where, e.g. `rules[3].pattern` or `policy.high`. */
export interface RuleSetProblem {
  path: string;
  ruleIndex?: number;
  ruleId?: string;
  message: string;
}

export interface CompiledRule {
  rule: HighRiskRule;
  regex: RegExp;
  scope: RuleScope;
}

const RULE_FIELDS = ['id', 'description', 'severity', 'pattern', 'ignoreCase', 'scope', 'examples', 'counterExamples'];
const MAX_RULES = 500;
const MAX_PATTERN = 2000;
const MAX_EXAMPLES = 30;

/** "rules[3] (rm-root) pattern: …", the form loaders and the API print. */
export function describeProblem(problem: RuleSetProblem): string {
  if (problem.ruleIndex === undefined) return `${problem.path}: ${problem.message}`;
  const rule = `rules[${problem.ruleIndex}]${problem.ruleId ? ` (${problem.ruleId})` : ''}`;
  const field = problem.path.slice(`rules[${problem.ruleIndex}]`.length).replace(/^\./, '');
  return field ? `${rule} ${field}: ${problem.message}` : `${rule}: ${problem.message}`;
}

const compiled = new Map<string, RegExp>();

/** A rule's regex (compiled once per pattern); only call it on a rule that passed {@link shapeProblems}. */
export function compileRule(rule: HighRiskRule): CompiledRule {
  const flags = rule.ignoreCase ? 'i' : '';
  const key = `${flags}/${rule.pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    if (compiled.size >= 2000) compiled.clear();
    compiled.set(key, (regex = new RegExp(rule.pattern, flags)));
  }
  return { rule, regex, scope: rule.scope ?? 'command' };
}

/** Everything wrong with the shape of a rule set: fields, types, ids, severities and regexes. */
export function shapeProblems(input: unknown): RuleSetProblem[] {
  const problems: RuleSetProblem[] = [];
  if (!isRecord(input)) return [{ path: '(rule set)', message: `must be a mapping with policy and rules, not ${kindOf(input)}` }];
  unknownFields(input, ['policy', 'rules'], '', problems, 'a rule set has only policy and rules');
  policyProblems(input.policy, problems);
  if (!Array.isArray(input.rules)) {
    problems.push({ path: 'rules', message: input.rules === undefined ? 'is missing: list the rules' : `must be a list of rules, not ${kindOf(input.rules)}` });
    return problems;
  }
  if (input.rules.length === 0) problems.push({ path: 'rules', message: 'list at least one rule' });
  if (input.rules.length > MAX_RULES) problems.push({ path: 'rules', message: `list at most ${MAX_RULES} rules` });
  const seen = new Map<string, number>();
  input.rules.forEach((rule, index) => ruleProblems(rule, index, seen, problems));
  return problems;
}

function policyProblems(policy: unknown, problems: RuleSetProblem[]): void {
  const hint = `say what each severity leads to, e.g. policy: { critical: block, high: approval, medium: approval }`;
  if (!isRecord(policy)) {
    problems.push({ path: 'policy', message: policy === undefined ? `is missing: ${hint}` : `must be a mapping: ${hint}` });
    return;
  }
  unknownFields(policy, [...SEVERITIES], 'policy', problems, `the severities are ${SEVERITIES.join(', ')}`);
  for (const severity of SEVERITIES) {
    const action = policy[severity];
    if (action === undefined) problems.push({ path: `policy.${severity}`, message: 'is missing: block or approval' });
    else if (!(POLICY_ACTIONS as readonly unknown[]).includes(action)) problems.push({ path: `policy.${severity}`, message: `must be block or approval, not ${kindOf(action)}` });
  }
}

function ruleProblems(rule: unknown, index: number, seen: Map<string, number>, problems: RuleSetProblem[]): void {
  const at = `rules[${index}]`;
  if (!isRecord(rule)) {
    problems.push({ path: at, ruleIndex: index, message: `must be a mapping with id, description, severity and pattern, not ${kindOf(rule)}` });
    return;
  }
  const ruleId = typeof rule.id === 'string' ? rule.id : undefined;
  const add = (field: string, message: string) => problems.push({ path: field ? `${at}.${field}` : at, ruleIndex: index, ...(ruleId ? { ruleId } : {}), message });
  for (const key of Object.keys(rule)) if (!RULE_FIELDS.includes(key)) add(key, `unknown field: remove it or check the spelling; a rule has ${RULE_FIELDS.join(', ')}`);

  if (ruleId === undefined) add('id', rule.id === undefined ? 'is missing: give the rule an id like rm-root' : `must be a string, not ${kindOf(rule.id)}`);
  else if (!RULE_ID.test(ruleId) || ruleId.length > RULE_ID_MAX) add('id', `must be lower-case letters and digits joined by single dashes, at most ${RULE_ID_MAX} characters, like rm-root`);
  else if ((BUILT_IN_IDS as readonly string[]).includes(ruleId)) add('id', `${ruleId} is the id of the check's own findings; choose another`);
  else if (seen.has(ruleId)) add('id', `rules[${seen.get(ruleId)}] already has this id; give each rule its own`);
  else seen.set(ruleId, index);

  if (typeof rule.description !== 'string' || rule.description.trim() === '') add('description', rule.description === undefined ? 'is missing: say what the command does and why it is risky' : 'must be text saying what the command does and why it is risky');
  else if (rule.description.length > 500) add('description', 'must be at most 500 characters');

  if (!(SEVERITIES as readonly unknown[]).includes(rule.severity)) add('severity', `${rule.severity === undefined ? 'is missing' : `must not be ${kindOf(rule.severity)}`}: use ${SEVERITIES.join(', ')}`);
  if (rule.ignoreCase !== undefined && typeof rule.ignoreCase !== 'boolean') add('ignoreCase', 'must be true or false');
  if (rule.scope !== undefined && !(RULE_SCOPES as readonly unknown[]).includes(rule.scope)) add('scope', `must be ${RULE_SCOPES.join(' or ')}, not ${kindOf(rule.scope)}`);
  for (const field of ['examples', 'counterExamples'] as const) {
    const list = rule[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > MAX_EXAMPLES) add(field, `must be a list of at most ${MAX_EXAMPLES} scripts`);
    else list.forEach((example, i) => typeof example !== 'string' || example.trim() === '' ? add(`${field}[${i}]`, 'must be a non-empty script') : undefined);
  }
  patternProblems(rule, add);
}

function patternProblems(rule: Record<string, unknown>, add: (field: string, message: string) => void): void {
  const pattern = rule.pattern;
  if (typeof pattern !== 'string' || pattern === '') {
    add('pattern', pattern === undefined || pattern === '' ? 'is missing: give a regular expression' : `must be a regular expression as text, not ${kindOf(pattern)}`);
    return;
  }
  if (pattern.length > MAX_PATTERN) return add('pattern', `must be at most ${MAX_PATTERN} characters`);
  if (/^\/.*\/[a-z]*$/s.test(pattern)) return add('pattern', 'write the expression without the surrounding slashes and flags; use ignoreCase: true for /i');
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, rule.ignoreCase === true ? 'i' : '');
  } catch (error) {
    return add('pattern', `does not compile as a JavaScript regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}); fix the pattern`);
  }
  if (regex.test('')) add('pattern', 'matches empty text, so it would flag every line; make it require the command it is about');
}

function unknownFields(object: Record<string, unknown>, known: string[], at: string, problems: RuleSetProblem[], hint: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) problems.push({ path: at ? `${at}.${key}` : key, message: `unknown field: remove it or check the spelling; ${hint}` });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}
