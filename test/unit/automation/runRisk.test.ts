import { assessRunRisk } from '../../../activities/automation/runRisk';
import type { RunContext } from '../../../activities/automation/runContext';
import { checkSshLine, SshLineChecks, sshLineFor } from '../../../activities/automation/sshLine';
import { checkScriptFailClosed, type HighRiskRuleSet } from '../../../domain/automation/highRisk';
import { blockedRunSummary, hostVerdict, MAX_KEPT_FINDINGS, RiskCollector } from '../../../domain/automation/risk';
import { stepPlans } from '../../../domain/automation/run';
import type { RunbookDefinition, RunbookStep } from '../../../domain/automation/runbook';
import { loadHighRiskRules } from '../../../runtime/catalog/highRiskRules';
import { DEFAULT_CATALOG_DIR } from '../../../runtime/catalog';
import type { HostDocument } from '../../../store/automation/runs';

// What the high-risk check means for a run: every SSH step rendered for every target and
// checked before anything executes, and the verdict right before a step runs on a host.

const rules: HighRiskRuleSet = loadHighRiskRules(DEFAULT_CATALOG_DIR);

function runOf(steps: RunbookStep[], params: Record<string, string> = {}, secrets: string[] = []): RunContext {
  const definition = { name: 'T', risk: 'high', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host' } }, parameters: { type: 'object', properties: Object.fromEntries(Object.keys(params).map((k) => [k, { type: 'string' }])) }, steps } as unknown as RunbookDefinition;
  return { id: 'RUN0000001', definition, scripts: steps.flatMap((s, i) => (s.type === 'ssh.script' && 'body' in s.script ? [{ step: i, language: s.script.language, body: s.script.body }] : [])), params, secrets, plans: stepPlans(definition) };
}

const hostsOf = (...names: string[]): HostDocument[] =>
  names.map((name, seq) => ({ _id: `RUN0000001/${seq}`, runId: 'RUN0000001', seq, ciId: `ci-${name}`, name, address: '10.0.0.1', port: 22, zone: 'default', credential: null, snmpCredential: null, hostKey: null, attributes: { name, zone: 'default' }, status: 'pending', steps: {} }) as HostDocument);

describe('assessRunRisk: the check before a run executes', () => {
  it('allows a run whose rendered commands hold nothing risky', () => {
    const risk = assessRunRisk(runOf([{ id: 'up', type: 'ssh.command', command: 'uptime' }]), hostsOf('a', 'b', 'c'), rules);
    expect(risk).toEqual({ decision: 'allow', findings: [], total: 0, uncheckedSteps: [], approvalRules: {} });
  });

  it('reads parameters as applied: a directory given as / makes `rm -rf "$DIR"` a blocking finding', () => {
    const run = runOf([{ id: 'clean', type: 'ssh.command', command: 'rm -rf "$DIR"', env: { DIR: '{{params.dir}}' } }], { dir: '/' });
    const risk = assessRunRisk(run, hostsOf('a', 'b'), rules);
    expect(risk.decision).toBe('block');
    expect(risk.findings[0]).toMatchObject({ step: 'clean', ruleId: 'rm-root', action: 'block', severity: 'critical', form: 'rm -rf /', hosts: 2, line: 1 });
    expect(blockedRunSummary(risk)).toMatch(/^the high-risk check blocked the run before anything executed: step clean line 1 `rm -rf \/`: rm-root/);
    // The same runbook with a harmless value is allowed.
    expect(assessRunRisk(runOf(run.definition.steps, { dir: '/tmp/build' }), hostsOf('a'), rules).decision).toBe('allow');
  });

  it('asks for approval for a reboot, and names the rule a second person approves for that step', () => {
    const risk = assessRunRisk(runOf([{ id: 'patch', type: 'ssh.script', script: { language: 'bash', body: 'apt-get -y upgrade\nif [ -f /var/run/reboot-required ]; then\n  reboot\nfi\n' } }]), hostsOf('a'), rules);
    expect(risk.decision).toBe('approval');
    expect(risk.findings).toEqual([expect.objectContaining({ step: 'patch', ruleId: 'shutdown-reboot', action: 'approval', line: 3, text: '  reboot' })]);
    expect(risk.approvalRules).toEqual({ patch: ['shutdown-reboot'] });
  });

  it('renders per target: one host whose attribute makes the command dangerous is found', () => {
    const run = runOf([{ id: 'wipe', type: 'ssh.command', command: 'rm -rf "/srv/$APP"', env: { APP: '{{target.name}}' } }]);
    const hosts = hostsOf('web', '');
    const risk = assessRunRisk(run, hosts, rules);
    expect(risk.decision).toBe('block');
    expect(risk.findings).toEqual([expect.objectContaining({ ruleId: 'rm-system-dir', form: 'rm -rf /srv', hosts: 1 })]);
  });

  it("leaves steps that use earlier steps' outputs to the check on each host, and says so", () => {
    const run = runOf([
      { id: 'find', type: 'ssh.command', command: 'ls /data' },
      { id: 'drop', type: 'ssh.command', command: 'rm -rf "$X"', env: { X: '{{steps.find.stdout}}' } },
    ]);
    expect(assessRunRisk(run, hostsOf('a'), rules)).toMatchObject({ decision: 'allow', uncheckedSteps: ['drop'] });
  });

  it('masks secret parameters in the finding texts it keeps', () => {
    const run = runOf([{ id: 'db', type: 'ssh.command', command: 'mysql -p{{params.pw}} -e "DROP DATABASE shop"' }], { pw: 'hunter2-secret' }, ['hunter2-secret']);
    const risk = assessRunRisk(run, hostsOf('a'), rules);
    expect(risk.decision).toBe('approval');
    expect(JSON.stringify(risk)).not.toContain('hunter2-secret');
    expect(risk.findings[0]!.text).toContain('••••••');
  });

  it('fails closed: without readable rules every SSH step blocks', () => {
    const risk = assessRunRisk(runOf([{ id: 'up', type: 'ssh.command', command: 'uptime' }]), hostsOf('a'), undefined);
    expect(risk).toMatchObject({ decision: 'block', findings: [expect.objectContaining({ ruleId: 'check-failed', action: 'block' })] });
  });

  it(`keeps at most ${MAX_KEPT_FINDINGS} findings, blocking ones first, and counts them all`, () => {
    const collector = new RiskCollector(rules.policy);
    for (let i = 0; i < 60; i++) collector.add('s', checkScriptFailClosed(`shutdown -r now # ${i}\nmkfs.ext4 /dev/sdb${i}`, rules));
    collector.add('s', checkScriptFailClosed('rm -rf /', rules));
    const risk = collector.result();
    expect(risk.total).toBe(61 + 60 - 59); // every shutdown line is the same form and line: one finding, seen 60 times
    expect(risk.findings[0]).toMatchObject({ ruleId: 'rm-root', action: 'block' });
    expect(risk.findings.length).toBeLessThanOrEqual(MAX_KEPT_FINDINGS);
  });
});

describe('hostVerdict: the check right before a step executes on a host', () => {
  const line = (command: string) => checkScriptFailClosed(command, rules);
  const approved = assessRunRisk(runOf([{ id: 'patch', type: 'ssh.command', command: 'reboot' }]), hostsOf('a'), rules);

  it('lets a step with no finding go', () => {
    expect(hostVerdict('patch', line('uptime'), undefined)).toEqual({ go: true });
  });

  it('lets an approved finding go, on the step it was approved for only', () => {
    expect(hostVerdict('patch', line('systemctl daemon-reload && reboot'), approved)).toEqual({ go: true });
    expect(hostVerdict('other', line('reboot'), approved)).toMatchObject({ go: false, reason: expect.stringMatching(/needs a second person's approval that the run did not get/) });
  });

  it('refuses a finding nobody approved, and anything that blocks whatever was approved', () => {
    expect(hostVerdict('patch', line('reboot; mkfs.ext4 /dev/sdb'), approved)).toMatchObject({ go: false, findings: [expect.objectContaining({ ruleId: 'mkfs' })] });
    expect(hostVerdict('patch', line('rm -rf /'), approved)).toMatchObject({ go: false, reason: expect.stringMatching(/^the high-risk check blocked it: line 1 `rm -rf \/`: rm-root/) });
    expect(hostVerdict('patch', checkScriptFailClosed('uptime', { broken: true }), approved)).toMatchObject({ go: false, findings: [expect.objectContaining({ ruleId: 'check-failed' })] });
  });
});

describe('checkSshLine: what is checked is what is sent', () => {
  const run = runOf([
    { id: 'cmd', type: 'ssh.command', command: '$TOOL -rf {{params.where}}', env: { TOOL: 'rm' }, args: [] },
    { id: 'script', type: 'ssh.script', script: { language: 'bash', body: 'rm -rf "$WHERE"\n' }, env: { WHERE: '{{params.where}}' } },
  ], { where: '/' });
  const context = { params: run.params, target: { id: 'c', name: 'a', address: null, zone: 'default', attributes: {} }, steps: {}, run: { id: run.id } };

  it('reads a command with its exported environment, and a script with the step environment as variables', () => {
    const command = sshLineFor(run, run.definition.steps[0] as never, 0, context);
    expect(command.command).toBe("export TOOL='rm'; $TOOL -rf '/'");
    expect(checkSshLine(command, rules)).toMatchObject({ decision: 'block', findings: [expect.objectContaining({ ruleId: 'rm-root' })] });
    const script = sshLineFor(run, run.definition.steps[1] as never, 1, context);
    expect(script).toMatchObject({ command: "export WHERE='/'; bash -s --", stdin: 'rm -rf "$WHERE"\n', env: { WHERE: '/' } });
    expect(checkSshLine(script, rules)).toMatchObject({ decision: 'block', findings: [expect.objectContaining({ ruleId: 'rm-root', line: 1 })] });
  });
});

describe('SshLineChecks: the check remembered per rule set and line', () => {
  const blocked = { command: "rm -rf '/'", env: {} };
  const harmless = { command: 'uptime', env: {} };

  it('answers as checkSshLine does, checking a line once per rule set', () => {
    const checks = new SshLineChecks();
    expect(checks.check(blocked, rules)).toEqual(checkSshLine(blocked, rules));
    expect(checks.check(harmless, rules)).toEqual(checkSshLine(harmless, rules));
    expect(checks.check(blocked, rules)).toBe(checks.check(blocked, rules));
  });

  it('checks again under another rule set, and blocks when the rules could not be read', () => {
    const checks = new SshLineChecks();
    expect(checks.check(blocked, rules).decision).toBe('block');
    const fired = new Set(checkSshLine(blocked, rules).findings.map((f) => f.ruleId));
    const without: HighRiskRuleSet = { policy: rules.policy, rules: rules.rules.filter((r) => !fired.has(r.id)) };
    expect(checks.check(blocked, without).decision).toBe('allow');
    expect(checks.check(blocked, undefined)).toMatchObject({ decision: 'block', findings: [expect.objectContaining({ ruleId: 'check-failed' })] });
  });

  it('tells scripts apart by their environment', () => {
    const checks = new SshLineChecks();
    const script = (where: string) => ({ command: 'bash -s --', stdin: 'rm -rf "$WHERE"\n', env: { WHERE: where } });
    expect(checks.check(script('/tmp/x'), rules).decision).toBe('allow');
    expect(checks.check(script('/'), rules).decision).toBe('block');
  });
});
