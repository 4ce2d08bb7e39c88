import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AssignmentRule, chooseAssignment, leastLoaded, type RoutableTicket, ruleMatches, wordsOf } from '../../domain/assignment';
import { AssignmentCatalogError, loadAssignmentRules } from '../../runtime/catalog/assignment';

const ticket = (over: Partial<RoutableTicket> = {}): RoutableTicket => ({
  kind: 'incident',
  category: null,
  service: null,
  priority: 'P3',
  title: 'Something is broken',
  affectedCiOwnerGroups: [],
  assignmentSource: null,
  assignmentGroup: null,
  assignee: null,
  ...over,
});
const rule = (name: string, when: AssignmentRule['when'], group = name, assignee?: string): AssignmentRule => ({
  name,
  when,
  assign: { group, ...(assignee !== undefined && { assignee }) },
});
const matches = (when: AssignmentRule['when'], t: Partial<RoutableTicket>) => ruleMatches(rule('r', when), ticket(t));

describe('conditions', () => {
  it('an empty condition set matches every ticket', () => {
    expect(matches({}, {})).toBe(true);
    expect(matches({}, { kind: 'change', title: '' })).toBe(true);
  });

  it('kinds', () => {
    expect(matches({ kinds: ['incident', 'request'] }, { kind: 'request' })).toBe(true);
    expect(matches({ kinds: ['incident'] }, { kind: 'problem' })).toBe(false);
  });

  it('categories, case-insensitively and ignoring surrounding blanks; no category never matches', () => {
    expect(matches({ categories: ['Database'] }, { category: ' database ' })).toBe(true);
    expect(matches({ categories: ['database'] }, { category: 'network' })).toBe(false);
    expect(matches({ categories: ['database'] }, { category: null })).toBe(false);
  });

  it('services, case-insensitively; no service never matches', () => {
    expect(matches({ services: ['Payments', 'E-Banking'] }, { service: 'e-banking' })).toBe(true);
    expect(matches({ services: ['Payments'] }, { service: 'Payroll' })).toBe(false);
    expect(matches({ services: ['Payments'] }, { service: null })).toBe(false);
  });

  it('CI owner groups: any affected CI owned by a listed group', () => {
    expect(matches({ ciOwnerGroups: ['storage'] }, { affectedCiOwnerGroups: ['network', 'storage'] })).toBe(true);
    expect(matches({ ciOwnerGroups: ['storage'] }, { affectedCiOwnerGroups: ['network'] })).toBe(false);
    expect(matches({ ciOwnerGroups: ['storage'] }, { affectedCiOwnerGroups: [] })).toBe(false);
  });

  it('priorities', () => {
    expect(matches({ priorities: ['P1', 'P2'] }, { priority: 'P1' })).toBe(true);
    expect(matches({ priorities: ['P1', 'P2'] }, { priority: 'P3' })).toBe(false);
  });

  it('all given conditions must hold', () => {
    const when = { kinds: ['request' as const], categories: ['access'] };
    expect(matches(when, { kind: 'request', category: 'access' })).toBe(true);
    expect(matches(when, { kind: 'incident', category: 'access' })).toBe(false);
    expect(matches(when, { kind: 'request', category: 'hardware' })).toBe(false);
  });

  it('an empty list matches nothing (the loader refuses one)', () => {
    expect(matches({ kinds: [] }, {})).toBe(false);
  });
});

describe('title words', () => {
  const net = { titleWords: ['vpn', 'switch', 'load balancer'] };

  it.each([
    ['VPN down for the Paris office', true],
    ['Core switch reboots', true],
    ['vpn-gateway unreachable', true], // hyphens separate words
    ['Cannot reach host (VPN)', true],
    ['Load  Balancer returns 502', true], // a phrase: consecutive words, any spacing
    ['Database switchover failed', false], // whole words only: no substrings
    ['Replace switches in rack 4', false], // no stemming: list plural forms explicitly
    ['openvpn client crashes', false],
    ['balancer load test', false], // a phrase's words must be in order
    ['', false],
  ])('%j → %s', (title, expected) => {
    expect(matches(net, { title })).toBe(expected);
  });

  it('matches words in any script', () => {
    expect(matches({ titleWords: ['网络'] }, { title: '办公室 网络 中断' })).toBe(true);
    expect(matches({ titleWords: ['café'] }, { title: 'Café Wi-Fi' })).toBe(true);
    expect(wordsOf('Café Wi-Fi, down!')).toEqual(['café', 'wi', 'fi', 'down']);
  });
});

describe('chooseAssignment', () => {
  const rules: AssignmentRule[] = [
    rule('problems', { kinds: ['problem'] }, 'problem-management'),
    rule('network-words', { titleWords: ['vpn'] }, 'network'),
    rule('p1-incidents', { kinds: ['incident'], priorities: ['P1'] }, 'major-incident', 'mim-duty'),
    rule('catch-all', { kinds: ['incident'] }, 'service-desk', 'least_loaded'),
  ];

  it('the first matching rule wins, in list order', () => {
    expect(chooseAssignment(ticket({ kind: 'problem', title: 'Recurring VPN drops' }), rules)).toEqual({ group: 'problem-management', assignee: null, rule: 'problems' });
    expect(chooseAssignment(ticket({ title: 'VPN down', priority: 'P1' }), rules)).toEqual({ group: 'network', assignee: null, rule: 'network-words' });
    expect(chooseAssignment(ticket({ priority: 'P1' }), rules)).toEqual({ group: 'major-incident', assignee: 'mim-duty', rule: 'p1-incidents' });
  });

  it('returns null when no rule matches', () => {
    expect(chooseAssignment(ticket({ kind: 'change', title: 'Patch servers' }), rules)).toBeNull();
    expect(chooseAssignment(ticket(), [])).toBeNull();
  });

  it('never overwrites a manual assignment', () => {
    const manual = ticket({ title: 'VPN down', assignmentSource: 'manual', assignmentGroup: 'service-desk', assignee: 'bob' });
    expect(chooseAssignment(manual, rules, () => [{ user: 'x', open: 0 }])).toBeNull();
  });

  it('re-routes tickets assigned by a rule or an SLA escalation', () => {
    expect(chooseAssignment(ticket({ title: 'VPN down', assignmentSource: 'rule', assignmentGroup: 'service-desk' }), rules)?.group).toBe('network');
    expect(chooseAssignment(ticket({ title: 'VPN down', assignmentSource: 'sla', assignmentGroup: 'service-desk' }), rules)?.group).toBe('network');
  });

  it('least_loaded picks the member with the fewest open tickets, asking for the rule\'s group', () => {
    const asked: string[] = [];
    const load = (group: string) => {
      asked.push(group);
      return [
        { user: 'carol', open: 4 },
        { user: 'dave', open: 1 },
        { user: 'erin', open: 2 },
      ];
    };
    expect(chooseAssignment(ticket(), rules, load)).toEqual({ group: 'service-desk', assignee: 'dave', rule: 'catch-all' });
    expect(asked).toEqual(['service-desk']);
  });

  it('least_loaded breaks ties alphabetically, whatever the order of the members', () => {
    expect(leastLoaded([{ user: 'zoe', open: 1 }, { user: 'bob', open: 1 }, { user: 'max', open: 3 }])).toBe('bob');
    expect(leastLoaded([{ user: 'bob', open: 1 }, { user: 'zoe', open: 1 }])).toBe('bob');
    expect(leastLoaded([{ user: 'zoe', open: 0 }, { user: 'bob', open: 1 }])).toBe('zoe');
    // by code unit, not locale: stable on every worker
    expect(leastLoaded([{ user: 'bob', open: 0 }, { user: 'Bob', open: 0 }])).toBe('Bob');
  });

  it('least_loaded assigns the group only when it has no members or no load information', () => {
    expect(chooseAssignment(ticket(), rules, () => [])).toEqual({ group: 'service-desk', assignee: null, rule: 'catch-all' });
    expect(chooseAssignment(ticket(), rules)).toEqual({ group: 'service-desk', assignee: null, rule: 'catch-all' });
    expect(leastLoaded([])).toBeNull();
  });

  it('a named assignee is taken as is, without load information', () => {
    const load = jest.fn(() => [{ user: 'x', open: 0 }]);
    expect(chooseAssignment(ticket({ priority: 'P1' }), rules, load)?.assignee).toBe('mim-duty');
    expect(load).not.toHaveBeenCalled();
  });
});

describe('loadAssignmentRules', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-assignment-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (yaml: string) => {
    fs.mkdirSync(path.join(dir, 'assignment'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'assignment', 'rules.yaml'), yaml);
  };
  const errorOf = (yaml: string): string => {
    write(yaml);
    try {
      loadAssignmentRules(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(AssignmentCatalogError);
      return (error as Error).message;
    }
    throw new Error('expected the file to be refused');
  };

  it('no file means no rules; an empty file or list too', () => {
    expect(loadAssignmentRules(dir)).toEqual([]);
    write('');
    expect(loadAssignmentRules(dir)).toEqual([]);
    write('rules: []\n');
    expect(loadAssignmentRules(dir)).toEqual([]);
  });

  it('reads rules in file order; a rule without conditions matches everything', () => {
    write(`
rules:
  - name: db
    when: { categories: [database], priorities: [P1, P2] }
    assign: { group: dba, assignee: dora }
  - name: rest
    assign: { group: service-desk, assignee: least_loaded }
`);
    expect(loadAssignmentRules(dir)).toEqual([
      { name: 'db', when: { categories: ['database'], priorities: ['P1', 'P2'] }, assign: { group: 'dba', assignee: 'dora' } },
      { name: 'rest', when: {}, assign: { group: 'service-desk', assignee: 'least_loaded' } },
    ]);
  });

  it('names the file, the rule (index and name) and the field', () => {
    const message = errorOf(`
rules:
  - name: ok
    assign: { group: a }
  - name: network
    when: { kinds: [incident, outage], titleWords: [] }
    assign: { group: network }
`);
    expect(message).toContain(path.join('assignment', 'rules.yaml'));
    expect(message).toMatch(/rules\[1\] \(network\)\.when\.kinds\[1\]: /);
    expect(message).toMatch(/rules\[1\] \(network\)\.when\.titleWords: must list at least one value, or be left out to mean "any"/);
  });

  it.each([
    ['an unknown condition', 'rules:\n  - name: x\n    when: { team: [a] }\n    assign: { group: a }\n', /rules\[0\] \(x\)\.when: unknown field\(s\) team/],
    ['an unknown priority', 'rules:\n  - name: x\n    when: { priorities: [P9] }\n    assign: { group: a }\n', /rules\[0\] \(x\)\.when\.priorities\[0\]/],
    ['a missing group', 'rules:\n  - name: x\n    assign: {}\n', /rules\[0\] \(x\)\.assign\.group/],
    ['a blank group', 'rules:\n  - name: x\n    assign: { group: "  " }\n', /rules\[0\] \(x\)\.assign\.group: must not be empty/],
    ['a blank assignee', 'rules:\n  - name: x\n    assign: { group: a, assignee: "" }\n', /rules\[0\] \(x\)\.assign\.assignee: must not be empty/],
    ['a missing assign', 'rules:\n  - name: x\n', /rules\[0\] \(x\)\.assign/],
    ['a title word without letters', 'rules:\n  - name: x\n    when: { titleWords: ["--"] }\n    assign: { group: a }\n', /rules\[0\] \(x\)\.when\.titleWords\[0\]: must contain a letter or digit/],
    ['a bad name', 'rules:\n  - name: Network Rule\n    assign: { group: a }\n', /rules\[0\] \(Network Rule\)\.name: must be lower-case/],
    ['a missing name', 'rules:\n  - assign: { group: a }\n', /rules\[0\]\.name/],
    ['an unknown top-level field', 'rule: []\n', /\(file\): unknown field\(s\) rule/],
    ['rules that are not a list', 'rules: { name: x }\n', /rules: /],
  ])('refuses %s', (_, yaml, expected) => {
    expect(errorOf(yaml)).toMatch(expected);
  });

  it('refuses two rules with one name', () => {
    expect(errorOf('rules:\n  - name: x\n    assign: { group: a }\n  - name: x\n    assign: { group: b }\n')).toMatch(
      /rules\.yaml: rules\[1\] \(x\)\.name: another rule already has this name/,
    );
  });

  it('refuses broken YAML, naming the file', () => {
    expect(errorOf('rules:\n  - name: [unclosed\n')).toMatch(/assignment.rules\.yaml: not valid YAML/);
  });
});

describe('the shipped rules', () => {
  const rules = loadAssignmentRules(path.join(__dirname, '..', '..', 'catalog'));
  const route = (t: Partial<RoutableTicket>, load?: (group: string) => Array<{ user: string; open: number }>) => chooseAssignment(ticket(t), rules, load);

  it('load cleanly', () => {
    expect(rules.length).toBeGreaterThan(0);
  });

  it.each<[string, Partial<RoutableTicket>, string | null]>([
    ['a VPN incident', { title: 'VPN drops every hour' }, 'network'],
    ['a firewall change', { kind: 'change', title: 'Open firewall port 443 for payments' }, 'network'],
    ['a Wi-Fi request', { kind: 'request', title: 'Guest Wi-Fi for visitors' }, 'network'],
    ['a database incident', { category: 'Database', title: 'Replication lag' }, 'dba'],
    ['a database switchover', { category: 'database', title: 'Switch over the primary' }, 'dba'],
    ['a problem about the VPN', { kind: 'problem', title: 'Recurring VPN drops' }, 'problem-management'],
    ['an access request', { kind: 'request', category: 'access', title: 'Access to the finance share' }, 'service-desk'],
    ['any other incident', { title: 'Printer jammed' }, 'service-desk'],
    ['a hardware request', { kind: 'request', category: 'hardware', title: 'New laptop' }, null],
  ])('route %s', (_, t, group) => {
    expect(route(t)?.group ?? null).toBe(group);
  });

  it('spread other incidents over the least loaded service desk agent', () => {
    expect(route({ title: 'Printer jammed' }, () => [{ user: 'zoe', open: 2 }, { user: 'amy', open: 2 }, { user: 'kim', open: 5 }])).toEqual({
      group: 'service-desk',
      assignee: 'amy',
      rule: 'incidents-catch-all',
    });
  });
});
