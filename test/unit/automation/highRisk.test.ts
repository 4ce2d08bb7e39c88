import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkScript, checkScriptFailClosed, describeProblem, type HighRiskRuleSet, validateRuleSet } from '../../../domain/automation/highRisk';
import { HighRiskRulesError, loadHighRiskRules } from '../../../runtime/catalog/highRiskRules';

const catalog = path.resolve(__dirname, '../../../catalog');
const rules = loadHighRiskRules(catalog);
const flagged = (script: string) => checkScript(script, rules).findings.map((f) => f.ruleId);

describe('the shipped rule file', () => {
  it('loads, is valid, and blocks critical findings and sends the others to approval', () => {
    expect(rules.policy).toEqual({ critical: 'block', high: 'approval', medium: 'approval' });
    expect(rules.rules.length).toBeGreaterThanOrEqual(30);
    expect(validateRuleSet(rules)).toEqual({ ok: true, ruleSet: rules });
  });

  it('has examples and counter-examples for every rule, which the loader checked', () => {
    for (const rule of rules.rules) {
      expect(rule.examples?.length).toBeGreaterThan(0);
      expect(rule.counterExamples?.length).toBeGreaterThan(0);
    }
  });

  // The loader already ran these; here each one is a test of its own, so a failure names it.
  const cases = rules.rules.flatMap((rule) => [...(rule.examples ?? []).map((script) => [rule.id, script, true] as const), ...(rule.counterExamples ?? []).map((script) => [rule.id, script, false] as const)]);
  it.each(cases)('%s %j: flagged %s', (id, script, expected) => {
    expect(flagged(script).includes(id)).toBe(expected);
  });
});

describe('what the issue names is caught', () => {
  it.each([
    ['rm -rf /', 'rm-root', 'block'],
    ['rm -fr /', 'rm-root', 'block'],
    ['rm -r -f /', 'rm-root', 'block'],
    ['rm --recursive --force /', 'rm-root', 'block'],
    ['rm -rf /*', 'rm-root', 'block'],
    ['rm -rf --no-preserve-root /', 'rm-no-preserve-root', 'block'],
    ['rm -rf ~', 'rm-home', 'block'],
    ['rm -rf /etc', 'rm-system-dir', 'block'],
    ['mkfs.ext4 /dev/sdb1', 'mkfs', 'approval'],
    ['dd if=/dev/zero of=/dev/sda', 'dd-to-device', 'approval'],
    ['shutdown -h now', 'shutdown-reboot', 'approval'],
    ['reboot', 'shutdown-reboot', 'approval'],
    ['halt', 'shutdown-reboot', 'approval'],
    ['poweroff', 'shutdown-reboot', 'approval'],
    ['init 0', 'init-runlevel', 'approval'],
    ['init 6', 'init-runlevel', 'approval'],
    ['systemctl poweroff', 'systemctl-power', 'approval'],
    ['systemctl reboot', 'systemctl-power', 'approval'],
    ['systemctl halt', 'systemctl-power', 'approval'],
    [':(){ :|:& };:', 'fork-bomb', 'block'],
    ['boom(){ boom|boom& };boom', 'fork-bomb', 'block'],
    ['chmod -R 777 /', 'chmod-chown-system', 'block'],
    ['echo x > /dev/sda', 'write-block-device', 'approval'],
    ['iptables -F', 'firewall-flush', 'approval'],
    ['iptables --flush', 'firewall-flush', 'approval'],
    ['nft flush ruleset', 'firewall-flush', 'approval'],
    ["psql -c 'DROP DATABASE prod'", 'sql-drop-database', 'approval'],
    ["mysql -e 'drop schema app'", 'sql-drop-database', 'approval'],
    ['dropdb prod', 'drop-database-tool', 'approval'],
    ["mongosh --eval 'db.dropDatabase()'", 'mongo-drop-database', 'approval'],
    ['wipefs -a /dev/sdb', 'wipefs', 'approval'],
    ['fdisk /dev/sdb', 'partition-table', 'approval'],
    ['parted -s /dev/sdb mklabel gpt', 'partition-table', 'approval'],
    ['kill -9 -1', 'kill-all-processes', 'block'],
    ['crontab -r', 'crontab-remove', 'approval'],
    ['userdel root', 'root-account', 'block'],
    ['mv / /tmp/old', 'move-system-dir', 'block'],
    ['curl -fsSL https://x | sh', 'pipe-to-shell', 'approval'],
  ])('%j → %s (%s)', (script, id, decision) => {
    const result = checkScript(script, rules);
    expect(result.findings.map((f) => f.ruleId)).toContain(id);
    expect(result.decision).toBe(decision);
  });
});

describe('bypass attempts are read as the shell reads them', () => {
  it.each([
    // spacing
    'rm    -rf     /',
    'rm\t-rf\t/',
    // quoting and escapes
    "r''m -rf /",
    '"rm" -rf /',
    'rm -rf "/"',
    "rm -rf '/'",
    'r\\m -rf /',
    '"r"m -rf "/"',
    "$'\\x72\\x6d' -rf /",
    "$'\\162\\155' -rf /",
    // paths to the program and to the target
    '/bin/rm -rf /',
    '/usr/bin/../bin/rm -rf /',
    './rm -rf /',
    'rm -rf //',
    'rm -rf /.',
    'rm -rf /tmp/../../',
    'rm -rf -- /',
    'rm / -rf',
    'rm --rec --force /',
    // prefixes that run another command
    'sudo rm -rf /',
    'sudo -u root -- rm -rf /',
    'sudo -iu root rm -rf /',
    'doas rm -rf /',
    'env rm -rf /',
    'env -i PATH=/bin X=1 rm -rf /',
    'command rm -rf /',
    'builtin command rm -rf /',
    'exec rm -rf /',
    'nohup rm -rf / &',
    'time rm -rf /',
    'nice -n 19 ionice -c3 rm -rf /',
    'timeout -s KILL 10 rm -rf /',
    'setsid stdbuf -oL rm -rf /',
    'busybox rm -rf /',
    'chroot /mnt/root rm -rf /',
    'flock /tmp/l rm -rf /',
    'xargs rm -rf / < /dev/null',
    '$SUDO rm -rf /',
    // chaining, grouping, substitution
    'ls; rm -rf /',
    'true && rm -rf /',
    'false || rm -rf /',
    'echo | rm -rf /',
    'sleep 1 & rm -rf /',
    '( rm -rf / )',
    '{ rm -rf /; }',
    '! rm -rf /',
    'if true; then rm -rf /; fi',
    'while true; do rm -rf /; done',
    'f() { rm -rf /; }',
    'echo $(rm -rf /)',
    'echo `rm -rf /`',
    'X="$(rm -rf /)"',
    'cat <(rm -rf /)',
    // line continuations
    'rm -rf \\\n  /',
    'r\\\nm -rf /',
    'sudo rm \\\n  -rf \\\n  /',
    // variables
    'X=/; rm -rf $X',
    'X=/; rm -rf "$X"',
    'export X=/; rm -rf ${X}',
    'A=r; B=m; $A$B -rf /',
    'CMD="rm -rf /"; $CMD',
    'A=(rm -rf /); "${A[@]}"',
    'rm -rf "${X:-/}"',
    'if true; then X=/tmp; else X=/; fi; rm -rf $X',
    'for d in /tmp /; do rm -rf "$d"; done',
    'rm -rf "$DIR/"',
    // IFS and brace expansion
    'rm${IFS}-rf${IFS}/',
    'rm$IFS-rf$IFS/',
    'IFS=,; C=rm,-rf,/; $C',
    '{rm,-rf,/}',
    'rm -rf /{,}',
    // command substitution the script itself holds
    '$(echo rm) -rf /',
    '$(which rm) -rf /',
    'rm -rf $(echo /)',
    "rm -rf $(printf '/')",
    // scripts inside commands
    "bash -c 'rm -rf /'",
    "sh -ec 'rm -rf /'",
    'sudo sh -c "rm -rf /"',
    "su -c 'rm -rf /' root",
    "su - root -c 'rm -rf /'",
    "runuser -u root -- rm -rf /",
    "eval 'rm -rf /'",
    "eval rm -rf /",
    "ssh -p 2222 web1 'rm -rf /'",
    'ssh web1 rm -rf /',
    'kubectl exec web-0 -- rm -rf /',
    'docker exec -u 0 web rm -rf /',
    "find /tmp -exec rm -rf / \\;",
    "watch -n 1 'rm -rf /'",
    "trap 'rm -rf /' EXIT",
    "alias ll='rm -rf /'",
    'env -S "rm -rf /"',
    'flock /tmp/l -c "rm -rf /"',
    'bash <<< "rm -rf /"',
    // text piped into a shell, plain or encoded
    "echo 'rm -rf /' | sh",
    "printf 'r\\x6d -rf /' | bash",
    "echo '/ fr- mr' | rev | sh",
    'echo cm0gLXJmIC8= | base64 -d | sh',
    'echo cm0gLXJmIC8= | base64 --decode | sudo bash',
    'base64 -d <<< cm0gLXJmIC8= | sh',
    'echo 726d202d7266202f | xxd -r -p | sh',
    'sh -c "$(echo cm0gLXJmIC8= | base64 -d)"',
    'X=$(echo cm0gLXJmIC8= | base64 -d); eval "$X"',
    // xargs given the target
    'echo / | xargs rm -rf',
    'xargs -I{} rm -rf {} <<< /',
    // globs
    'rm -rf /e?c',
    'rm -rf /[e]tc',
  ])('%j is blocked', (script) => {
    const result = checkScript(script, rules);
    expect(result.decision).toBe('block');
    expect(result.findings.some((f) => ['rm-root', 'rm-system-dir', 'rm-no-preserve-root'].includes(f.ruleId))).toBe(true);
  });

  it.each([
    ['rm -rf "$BUILD_DIR"', 'rm-unresolved-target'],
    ['rm -rf "${TARGET:?}"', 'rm-unresolved-target'],
    ['read -r D; rm -rf "$D"', 'rm-unresolved-target'],
    ['find . -name cache | xargs rm -rf', 'rm-unresolved-target'],
    ['curl -fsSL https://get.example.com | sh', 'pipe-to-shell'],
    ['curl -fsSL https://x | sudo bash -s -- --channel stable', 'pipe-to-shell'],
    ['cat cmds.txt | ssh web1', 'pipe-to-shell'],
    ['sh -c "$(curl -fsSL https://x)"', 'shell-runs-output'],
    ['bash <(curl -s https://x)', 'shell-runs-output'],
    ['eval "$(wget -qO- https://x)"', 'shell-runs-output'],
    ['/???/r? -rf /tmp/x', 'glob-command-name'],
  ])('%j cannot be seen through, so it needs approval (%s)', (script, id) => {
    const result = checkScript(script, rules);
    expect(result.findings.map((f) => f.ruleId)).toContain(id);
    expect(result.decision).toBe('approval');
  });

  it('reads the other dangerous commands through the same disguises', () => {
    expect(flagged('sudo /sbin/re\\boot')).toContain('shutdown-reboot');
    expect(flagged("ssh db1 'sudo systemctl reboot'")).toContain('systemctl-power');
    expect(flagged("s''hutdown -h now")).toContain('shutdown-reboot');
    expect(flagged('D=/dev/sda; dd if=/dev/zero of=$D')).toContain('dd-to-device');
    expect(flagged('cat image > /dev/sd?')).toContain('write-block-device');
    expect(flagged('echo c2h1dGRvd24gLWggbm93 | base64 -d | sh')).toContain('shutdown-reboot');
    expect(flagged('$(printf "\\x6d\\x6b\\x66\\x73") /dev/sdb')).toContain('mkfs');
    expect(flagged('{chmod,-R,777,/}')).toContain('chmod-chown-system');
    expect(flagged("b() {\n  b | b &\n}\nb")).toContain('fork-bomb');
  });
});

describe('what operators run every day is not flagged', () => {
  it.each([
    'rm -rf /tmp/build-123',
    'rm -rf ./dist',
    'rm -rf node_modules',
    'rm -rf /var/lib/apt/lists/*',
    'rm -r /tmp/x /tmp/y',
    'T=$(mktemp -d); trap \'rm -rf "$T"\' EXIT',
    'DIR=/opt/app/releases/41; rm -rf "$DIR"',
    'rm -f "$PIDFILE"',
    'dd if=/dev/zero of=/tmp/file bs=1M count=1',
    'dd if=/dev/sda of=/backup/mbr.img bs=512 count=1',
    'systemctl restart nginx',
    'sudo systemctl reload nginx',
    'systemctl status reboot.target',
    'echo reboot needed',
    'echo "shutdown at 22:00" | wall',
    'grep shutdown /var/log/syslog',
    "grep -i 'drop database' /var/log/postgresql/audit.log",
    'if [ -f /var/run/reboot-required ]; then echo "reboot required"; fi',
    'needs-restarting -r || echo reboot',
    'case "$1" in reboot) echo "asked for a reboot";; esac',
    "psql -c 'select 1'",
    "psql -c 'DROP TABLE tmp_import'",
    'pg_dump -Fc app > /backup/app.dump',
    'apt-get update && apt-get -y upgrade',
    'tar czf /backup/etc.tgz /etc',
    'cp -a /etc/nginx /etc/nginx.bak',
    'mv /etc/nginx/nginx.conf /etc/nginx/nginx.conf.bak',
    'find /var/log/app -name "*.gz" -mtime +30 -delete',
    'chown -R deploy:deploy /home/deploy',
    'chmod 600 ~/.ssh/authorized_keys',
    'iptables -L -n -v',
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'kill -HUP $(cat /var/run/nginx.pid)',
    'kill -9 12345',
    'crontab -l > /tmp/cron.bak',
    'mount /dev/sdb1 /mnt/data',
    'fdisk -l /dev/sda',
    'lsblk -f',
    'echo 3 > /proc/sys/vm/drop_caches',
    'cmd > /dev/null 2>&1',
    'curl -fsS https://api.internal/health | jq .status',
    "curl -s https://api.internal/x | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
    'ps aux | grep [s]shd',
    'eval "$(ssh-agent -s)"',
    'ssh web1 uptime',
    'kubectl rollout restart deploy/web -n prod',
    'kubectl delete pod web-7d9 -n prod',
    'for f in /var/log/app/*.log; do gzip "$f"; done',
    'cat <<EOF > /etc/motd\nMaintenance tonight\nEOF',
    '# rm -rf / is what we never do',
    'echo ok # rm -rf /',
    'command -v reboot',
    'man shutdown',
    "sed -i 's/reboot/restart/' /etc/app.conf",
    '[ -d /opt ] && ls /opt',
  ])('%j is allowed', (script) => {
    expect(checkScript(script, rules)).toEqual({ decision: 'allow', findings: [] });
  });

  it('reads runbook parameters given as environment variables', () => {
    expect(checkScript('rm -rf "$TARGET_DIR"', rules, { variables: { TARGET_DIR: '/tmp/build-7' } }).decision).toBe('allow');
    expect(checkScript('rm -rf "$TARGET_DIR"', rules, { variables: { TARGET_DIR: '/' } }).decision).toBe('block');
  });
});

describe('findings', () => {
  it('name the rule, its severity and description, and the 1-based line with its original text', () => {
    const script = 'set -eu\napt-get update\nsudo r\\m -fr "/"\necho done';
    const { decision, findings } = checkScript(script, rules);
    expect(decision).toBe('block');
    const rule = rules.rules.find((r) => r.id === 'rm-root')!;
    expect(findings).toEqual([{ ruleId: 'rm-root', severity: 'critical', description: rule.description, line: 3, text: 'sudo r\\m -fr "/"', form: 'rm -fr /' }]);
  });

  it('of a command over several lines start where it starts and show all its lines', () => {
    const script = 'echo start\nsudo rm -rf \\\n  --no-preserve-root \\\n  /\necho end';
    const findings = checkScript(script, rules).findings;
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([
      ['rm-root', 2],
      ['rm-no-preserve-root', 2],
    ]);
    expect(findings[0]!.text).toBe('sudo rm -rf \\\n  --no-preserve-root \\\n  /');
  });

  it('see a command hidden behind a quote that spans lines, and lines of a here-document', () => {
    expect(checkScript('echo "\n" ; rm -rf / ; echo "\nx"', rules).findings.map((f) => [f.ruleId, f.line])).toEqual([['rm-root', 2]]);
    expect(checkScript('psql <<SQL\nDROP DATABASE prod;\nSQL', rules).findings.map((f) => [f.ruleId, f.line])).toEqual([['sql-drop-database', 2]]);
  });

  it('do not let a comment that ends in a backslash swallow the next line', () => {
    expect(checkScript('# cleanup \\\nrm -rf /', rules).findings.map((f) => [f.ruleId, f.line])).toEqual([['rm-root', 2]]);
  });

  it('give the decision of the worst one', () => {
    expect(checkScript('crontab -r', rules).decision).toBe('approval');
    expect(checkScript('crontab -r\nreboot\nrm -rf /', rules).decision).toBe('block');
    const lenient: HighRiskRuleSet = { ...rules, policy: { critical: 'approval', high: 'approval', medium: 'approval' } };
    expect(checkScript('rm -rf /', lenient).decision).toBe('approval');
  });
});

describe('rule sets from the API are validated with precise problems', () => {
  const base = { policy: { critical: 'block', high: 'approval', medium: 'approval' }, rules: [{ id: 'reboot', description: 'Reboots the host.', severity: 'high', pattern: '^reboot(\\s|$)' }] };
  const problems = (input: unknown) => {
    const result = validateRuleSet(input);
    return result.ok ? [] : result.problems.map(describeProblem);
  };

  it('accepts a minimal rule set', () => {
    expect(validateRuleSet(base)).toEqual({ ok: true, ruleSet: base });
  });

  it('names the rule, the field and what to fix', () => {
    const input = {
      policy: { critical: 'block', high: 'allow' },
      rules: [
        { id: 'ok-rule', description: 'x', severity: 'high', pattern: '(unclosed' },
        { id: 'Bad Id', description: '', severity: 'severe', pattern: 'x', colour: 'red' },
        { id: 'ok-rule', description: 'x', severity: 'medium', pattern: '.*' },
        { id: 'check-failed', description: 'x', severity: 'medium', pattern: '/reboot/i' },
        'rm -rf /',
      ],
      extra: true,
    };
    expect(problems(input)).toEqual([
      'extra: unknown field: remove it or check the spelling; a rule set has only policy and rules',
      'policy.high: must be block or approval, not string "allow"',
      'policy.medium: is missing: block or approval',
      'rules[0] (ok-rule) pattern: does not compile as a JavaScript regular expression (/(unclosed/: Unterminated group); fix the pattern',
      'rules[1] (Bad Id) colour: unknown field: remove it or check the spelling; a rule has id, description, severity, pattern, ignoreCase, scope, examples, counterExamples',
      'rules[1] (Bad Id) id: must be lower-case letters and digits joined by single dashes, at most 64 characters, like rm-root',
      'rules[1] (Bad Id) description: must be text saying what the command does and why it is risky',
      'rules[1] (Bad Id) severity: must not be string "severe": use critical, high, medium',
      'rules[2] (ok-rule) id: rules[0] already has this id; give each rule its own',
      'rules[2] (ok-rule) pattern: matches empty text, so it would flag every line; make it require the command it is about',
      "rules[3] (check-failed) id: check-failed is the id of the check's own findings; choose another",
      'rules[3] (check-failed) pattern: write the expression without the surrounding slashes and flags; use ignoreCase: true for /i',
      'rules[4]: must be a mapping with id, description, severity and pattern, not string "rm -rf /"',
    ]);
  });

  it('gives problems as data too: path, rule index and id, message', () => {
    const result = validateRuleSet({ ...base, rules: [{ ...base.rules[0], pattern: '[' }] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([{ path: 'rules[0].pattern', ruleIndex: 0, ruleId: 'reboot', message: expect.stringMatching(/^does not compile as a JavaScript regular expression/) }]);
  });

  it('checks examples and counter-examples against the rule', () => {
    const input = { ...base, rules: [{ ...base.rules[0], examples: ['sudo reboot', 'shutdown -r now'], counterExamples: ['echo reboot', '/sbin/reboot'] }] };
    expect(problems(input)).toEqual([
      'rules[0] (reboot) examples[1]: "shutdown -r now" is not flagged by this rule; fix the pattern or the example',
      'rules[0] (reboot) counterExamples[1]: "/sbin/reboot" is flagged by this rule (its form "reboot" matches); narrow the pattern or drop the counter-example',
    ]);
  });

  it('refuses what is not a rule set at all', () => {
    expect(problems(null)).toEqual(['(rule set): must be a mapping with policy and rules, not empty']);
    expect(problems({})).toEqual(['policy: is missing: say what each severity leads to, e.g. policy: { critical: block, high: approval, medium: approval }', 'rules: is missing: list the rules']);
    expect(problems({ ...base, rules: [] })).toEqual(['rules: list at least one rule']);
    expect(problems({ ...base, rules: [{ ...base.rules[0], scope: 'file', ignoreCase: 'yes', examples: 'reboot' }] })).toEqual([
      'rules[0] (reboot) ignoreCase: must be true or false',
      'rules[0] (reboot) scope: must be command or line, not string "file"',
      'rules[0] (reboot) examples: must be a list of at most 30 scripts',
    ]);
  });
});

describe('the fail-closed check', () => {
  it('is the plain check when it can run', () => {
    expect(checkScriptFailClosed('reboot', rules)).toEqual(checkScript('reboot', rules));
    expect(checkScriptFailClosed('uptime', rules).decision).toBe('allow');
  });

  it.each([
    ['an invalid rule set', 'uptime', { policy: { critical: 'block' }, rules: [] }, /the high-risk rules are invalid \(3 problems, the first: policy\.high: is missing: block or approval\); fix the rule set/],
    ['no rule set', 'uptime', undefined, /the high-risk rules are invalid/],
    ['a regex that does not compile', 'uptime', { ...rules, rules: [{ id: 'x', description: 'x', severity: 'medium', pattern: '(' }] }, /pattern: does not compile/],
    ['a script that is not text', 42, rules, /the script is number, not text/],
  ])('blocks on %s, saying why', (_what, script, ruleSet, reason) => {
    const result = checkScriptFailClosed(script, ruleSet);
    expect(result.decision).toBe('block');
    expect(result.findings).toEqual([{ ruleId: 'check-failed', severity: 'critical', description: expect.stringMatching(reason), line: 0, text: '' }]);
  });

  it('blocks when anything inside the check throws, even under a lenient policy', () => {
    const lenient = { ...rules, policy: { critical: 'approval', high: 'approval', medium: 'approval' } };
    const hostile = new Proxy(lenient, { get: (target, key) => (key === 'rules' ? { map: () => { throw new TypeError('rules went away'); } } : Reflect.get(target, key)) });
    const result = checkScriptFailClosed('uptime', hostile);
    expect(result.decision).toBe('block');
    expect(result.findings[0]!.description).toMatch(/could not run, so the script is blocked/);
  });

  it('reads scripts nested ten deep, and says so past sixteen', () => {
    expect(checkScript(`echo ${'$('.repeat(10)}rm -rf /${')'.repeat(10)}`, rules).decision).toBe('block');
    const deep = checkScript(`echo ${'$('.repeat(40)}rm -rf /${')'.repeat(40)}`, rules);
    expect(deep.findings.map((f) => f.ruleId)).toEqual(['check-incomplete']);
    expect(deep.decision).toBe('approval');
  });

  it('stays fast on a very long line (no rule backtracks without bound)', () => {
    const started = Date.now();
    expect(checkScript(`echo ${'a'.repeat(100_000)}`, rules).decision).toBe('allow');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says when it could not follow everything, and the policy for high applies', () => {
    const values = Array.from({ length: 12 }, (_, i) => `V${i}=a; V${i}=b; V${i}=c`).join('\n');
    const result = checkScript(`${values}\necho ${Array.from({ length: 12 }, (_, i) => `$V${i}`).join(' ')}`, rules);
    expect(result.findings.map((f) => f.ruleId)).toContain('check-incomplete');
    expect(result.decision).toBe('approval');
  });
});

describe('loading the rule file', () => {
  const write = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-high-risk-'));
    fs.mkdirSync(path.join(dir, 'automation'));
    fs.writeFileSync(path.join(dir, 'automation', 'high-risk-rules.yaml'), text);
    return dir;
  };

  it('throws naming the file and every problem', () => {
    const dir = write('policy: { critical: block, high: approval, medium: approval }\nrules:\n  - id: reboot\n    description: Reboots.\n    severity: high\n    pattern: "(reboot"\n    examples: [reboot]\n');
    const file = path.join(dir, 'automation', 'high-risk-rules.yaml');
    expect(() => loadHighRiskRules(dir)).toThrow(HighRiskRulesError);
    expect(() => loadHighRiskRules(dir)).toThrow(`the high-risk command rules in ${file} have 1 problem:\n  - rules[0] (reboot) pattern: does not compile`);
  });

  it('throws on YAML that does not parse and on a missing file', () => {
    expect(() => loadHighRiskRules(write('policy: [unclosed'))).toThrow(/not valid YAML/);
    expect(() => loadHighRiskRules(fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-high-risk-')))).toThrow(/no such file; the automation center needs its high-risk command rules/);
  });
});
