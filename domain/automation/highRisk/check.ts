/**
 * The high-risk command check of a rendered script: every line's canonical forms matched
 * against the rules, each finding on the line it came from, and the decision the policy
 * gives the worst of them. The script is read twice: as the shell reads it (continuations,
 * multi-line quotes and here-documents joined or set aside) and each physical line on its
 * own, so a mistake in the first reading cannot hide a line. docs/automation-safety.md.
 */

import { collectVariables } from './expand';
import { compact, scanPipeline, type Collector } from './forms';
import { lex } from './lexer';
import { compileRule, describeProblem, type HighRiskRule, type HighRiskRuleSet, type PolicyAction, type RuleSetProblem, type Severity, SEVERITIES, shapeProblems } from './ruleSet';

/** `approval`: a second person must approve the run; `block`: the run does not start. */
export type Decision = 'allow' | PolicyAction;

export interface Finding {
  /** A rule's id, or `check-failed` / `check-incomplete` for the check's own findings. */
  ruleId: string;
  severity: Severity;
  description: string;
  /** 1-based line of the script where the command starts; 0 when the finding is about the whole script. */
  line: number;
  /** The original text of that line (of all its lines, when the command spans several). */
  text: string;
  /** The canonical form the rule matched, e.g. `rm -rf /` for `r''m -fr "/"`. */
  form?: string;
}

export interface CheckResult {
  decision: Decision;
  findings: Finding[];
}

export interface CheckOptions {
  /** Values the engine passes as environment variables (runbook parameters), so `$TARGET_DIR` reads as its value. */
  variables?: Record<string, string>;
}

/** Scripts longer than this are not read; the check says so and the policy for `high` applies. */
export const MAX_SCRIPT_LENGTH = 1_000_000;

interface Unit {
  line: number;
  endLine: number;
  commands: Set<string>;
  compacts: Set<string>;
  incomplete: Set<string>;
}

/** The decision for a rendered script under a rule set that passed {@link validateRuleSet}. */
export function checkScript(script: string, ruleSet: HighRiskRuleSet, options: CheckOptions = {}): CheckResult {
  const rules = ruleSet.rules.map(compileRule);
  const text = script.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const units: Unit[] = [];
  const unit = (line: number, endLine: number): Unit => {
    const created: Unit = { line, endLine, commands: new Set(), compacts: new Set(), incomplete: new Set() };
    units.push(created);
    return created;
  };
  const collector = (target: Unit): Collector => ({
    command: (form) => target.commands.add(form),
    compact: (value) => target.compacts.add(value),
    incomplete: (reason) => target.incomplete.add(reason),
  });
  if (text.length > MAX_SCRIPT_LENGTH) {
    unit(0, 0).incomplete.add(`the script is longer than ${MAX_SCRIPT_LENGTH} characters and was not read`);
  } else {
    const pipelines = lex(text);
    const vars = collectVariables(pipelines, options.variables ?? {});
    for (const pipeline of pipelines) {
      const first = pipeline.commands[0]!;
      const last = pipeline.commands[pipeline.commands.length - 1]!;
      scanPipeline(pipeline, vars, collector(unit(first.line, Math.max(first.line, last.endLine))));
    }
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const alone = unit(i + 1, i + 1);
      if (!/^\s*#/.test(line)) alone.compacts.add(compact(line));
      for (const pipeline of lex(line, i + 1)) scanPipeline(pipeline, vars, collector(alone));
    });
  }

  const findings: Finding[] = [];
  const ranges = new Map<string, [number, number][]>();
  const report = (ruleId: string, severity: Severity, description: string, from: number, to: number, form?: string) => {
    const seen = ranges.get(ruleId) ?? [];
    if (seen.some(([a, b]) => a <= from && to <= b)) return;
    ranges.set(ruleId, [...seen, [from, to]]);
    findings.push({ ruleId, severity, description, line: from, text: from === 0 ? '' : lines.slice(from - 1, to).join('\n'), ...(form === undefined ? {} : { form }) });
  };
  for (const target of units) {
    for (const { rule, regex, scope } of rules) {
      const form = [...(scope === 'command' ? target.commands : target.compacts)].find((candidate) => regex.test(candidate));
      if (form !== undefined) report(rule.id, rule.severity, rule.description, target.line, target.endLine, form);
    }
    for (const reason of target.incomplete) report('check-incomplete', 'high', `The check could not follow everything here (${reason}); read it before approving.`, target.line, target.endLine);
  }
  if (text.length <= MAX_SCRIPT_LENGTH) wholeScriptShapes(lines, rules.filter((r) => r.scope === 'line'), report);
  findings.sort((a, b) => a.line - b.line);
  return { decision: decide(findings, ruleSet.policy), findings };
}

/** `line` rules also see the whole script compacted, so a fork bomb written over several lines is caught. */
function wholeScriptShapes(lines: string[], rules: ReturnType<typeof compileRule>[], report: (id: string, severity: Severity, description: string, from: number, to: number, form?: string) => void): void {
  if (rules.length === 0) return;
  let whole = '';
  const lineOf: number[] = [];
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    for (const c of line) {
      if (/['"\\\s]/.test(c)) continue;
      whole += c;
      lineOf.push(i + 1);
    }
  });
  for (const { rule, regex } of rules) {
    const match = regex.exec(whole);
    if (match) report(rule.id, rule.severity, rule.description, lineOf[match.index]!, lineOf[Math.max(match.index, match.index + match[0].length - 1)]!, match[0]);
  }
}

/** The strictest action any finding calls for; a check that could not run always blocks. */
export function decide(findings: Finding[], policy: Record<Severity, PolicyAction>): Decision {
  let decision: Decision = 'allow';
  for (const finding of findings) {
    if (finding.ruleId === 'check-failed' || policy[finding.severity] === 'block') return 'block';
    decision = 'approval';
  }
  return decision;
}

export type RuleSetValidation = { ok: true; ruleSet: HighRiskRuleSet } | { ok: false; problems: RuleSetProblem[] };

/**
 * Checks a rule set given as plain data (a YAML file, an API body): its shape, every regex,
 * and that each rule flags its examples and none of its counter-examples.
 */
export function validateRuleSet(input: unknown): RuleSetValidation {
  const problems = shapeProblems(input);
  if (problems.length) return { ok: false, problems };
  const ruleSet = copyOf(input as HighRiskRuleSet);
  ruleSet.rules.forEach((rule, index) => {
    const alone: HighRiskRuleSet = { policy: ruleSet.policy, rules: [rule] };
    const at = (field: string, i: number) => ({ path: `rules[${index}].${field}[${i}]`, ruleIndex: index, ruleId: rule.id });
    rule.examples?.forEach((example, i) => {
      if (!checkScript(example, alone).findings.some((f) => f.ruleId === rule.id)) problems.push({ ...at('examples', i), message: `${JSON.stringify(example)} is not flagged by this rule; fix the pattern or the example` });
    });
    rule.counterExamples?.forEach((example, i) => {
      const hit = checkScript(example, alone).findings.find((f) => f.ruleId === rule.id);
      if (hit) problems.push({ ...at('counterExamples', i), message: `${JSON.stringify(example)} is flagged by this rule (its form ${JSON.stringify(hit.form)} matches); narrow the pattern or drop the counter-example` });
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, ruleSet };
}

/**
 * The check as the engine calls it: it never allows what it could not check. An invalid rule
 * set, a script that is not text or any error inside the check gives `block` with a finding
 * that says why. Examples are not re-run here; they are checked when rules are saved.
 */
export function checkScriptFailClosed(script: unknown, ruleSet: unknown, options: CheckOptions = {}): CheckResult {
  try {
    if (typeof script !== 'string') return failed(`the script is ${script === null ? 'null' : typeof script}, not text`);
    const variables = options.variables ?? {};
    if (typeof variables !== 'object' || Object.values(variables).some((v) => typeof v !== 'string')) return failed('the variables given to the check are not all text');
    const problems = shapeProblems(ruleSet);
    if (problems.length) return failed(`the high-risk rules are invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}, the first: ${describeProblem(problems[0]!)}); fix the rule set`);
    return checkScript(script, ruleSet as HighRiskRuleSet, options);
  } catch (error) {
    return failed(`it failed with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

function failed(reason: string): CheckResult {
  return { decision: 'block', findings: [{ ruleId: 'check-failed', severity: 'critical', description: `The high-risk command check could not run, so the script is blocked: ${reason}.`, line: 0, text: '' }] };
}

function copyOf(ruleSet: HighRiskRuleSet): HighRiskRuleSet {
  const policy = Object.fromEntries(SEVERITIES.map((severity) => [severity, ruleSet.policy[severity]])) as Record<Severity, PolicyAction>;
  const fields: (keyof HighRiskRule)[] = ['id', 'description', 'severity', 'pattern', 'ignoreCase', 'scope', 'examples', 'counterExamples'];
  const rules = ruleSet.rules.map((rule) => Object.fromEntries(fields.filter((f) => rule[f] !== undefined).map((f) => [f, Array.isArray(rule[f]) ? [...(rule[f] as string[])] : rule[f]])) as unknown as HighRiskRule);
  return { policy, rules };
}
