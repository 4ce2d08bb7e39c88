import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApproval } from '../../domain/approval';
import { approvalDueInMs, needsApproval, validateAnswers, validateFormSchema } from '../../domain/catalogItem';
import { CatalogError, loadCatalogItems } from '../../runtime/catalog/items';

const shipped = path.resolve(__dirname, '../../catalog');

describe('the shipped catalog', () => {
  const items = loadCatalogItems(shipped);
  const byId = new Map(items.map((item) => [item.id, item]));

  it('loads every item, in catalog order, its id from the file name', () => {
    expect(items.map((item) => item.id)).toEqual(['password-reset', 'laptop', 'software-installation', 'vpn-access', 'shared-mailbox', 'new-starter', 'database-access']);
    expect(items.map((item) => item.order)).toEqual([...items.map((item) => item.order)].sort((a, b) => a - b));
  });

  it('has valid forms and at least one fulfilment task per item', () => {
    for (const item of items) {
      expect(validateFormSchema(item.form)).toEqual([]);
      expect(item.fulfilment.tasks.length).toBeGreaterThan(0);
    }
  });

  it('routes work to the known groups only', () => {
    const groups = new Set(items.flatMap((item) => [item.fulfilment.group, ...item.fulfilment.tasks.map((task) => task.group)]));
    expect([...groups].sort()).toEqual(['dba', 'desktop', 'network', 'service-desk']);
  });

  it('states the approvals the service owners agreed', () => {
    expect(byId.get('vpn-access')!.approval).toEqual({ levels: [{ name: 'Manager', approvers: 'manager', mode: { type: 'any' }, due: '5d', onDue: 'reject' }] });
    expect(byId.get('laptop')!.approval).toEqual({ levels: [{ name: 'Manager', approvers: 'manager', mode: { type: 'any' } }] });
    expect(byId.get('database-access')!.approval).toEqual({ levels: [{ name: 'DBA team', approvers: { group: 'dba' }, mode: { type: 'all' }, due: '2d', onDue: 'reject' }] });
    expect(byId.get('new-starter')!.approval).toEqual({
      levels: [
        { name: 'Line manager', approvers: 'manager', mode: { type: 'any' }, due: '3d', onDue: 'escalate', escalateTo: { users: ['hr.onboarding'] } },
        { name: 'IT security', approvers: { users: ['iris.kovacs', 'tom.brandt', 'ana.silva'] }, mode: { type: 'percentage', percent: 50 }, rejectWhen: 'any_rejection', due: '2d', onDue: 'approve' },
      ],
    });
    expect(items.filter((item) => !needsApproval(item)).map((item) => item.id)).toEqual(['password-reset', 'software-installation']);
    expect(byId.get('password-reset')!.approval).toEqual({ levels: [] });
    expect(new Set(byId.get('new-starter')!.fulfilment.tasks.map((task) => task.group))).toEqual(new Set(['service-desk', 'network']));
  });

  it('has levels the approval engine accepts as they stand', () => {
    for (const item of items) {
      // Rules resolve to users when a request is made; stand-ins show the shapes and counts are valid.
      const specs = item.approval.levels.map((level) => ({
        name: level.name,
        approvers: ['x1', 'x2', 'x3'],
        mode: level.mode,
        rejectWhen: level.rejectWhen,
        dueInMs: approvalDueInMs(level),
        onDue: level.onDue,
        escalateTo: level.escalateTo ? ['y1'] : undefined,
      }));
      expect(() => startApproval(specs, '2026-03-02T09:00:00Z')).not.toThrow();
    }
  });

  it('accepts a realistic order and explains a wrong one', () => {
    const form = byId.get('database-access')!.form;
    const ok = validateAnswers(form, { database: 'PAYMENTS-PROD (PostgreSQL)', justification: 'Month-end reconciliation needs ad-hoc queries on settled payments.', changeReference: 'CHG0001234' });
    expect(ok).toEqual({
      ok: true,
      answers: { database: 'PAYMENTS-PROD (PostgreSQL)', accessLevel: 'Read only', durationDays: 30, changeReference: 'CHG0001234', justification: 'Month-end reconciliation needs ad-hoc queries on settled payments.' },
    });
    expect(validateAnswers(form, { database: 'PAYMENTS-PROD (PostgreSQL)', justification: 'because', durationDays: 120 })).toEqual({
      ok: false,
      errors: [
        { field: 'durationDays', message: 'For how many days must be at most 90' },
        { field: 'justification', message: 'Business justification must be at least 30 characters (it has 7)' },
      ],
    });
  });
});

describe('a broken catalog', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-catalog-'));
    fs.mkdirSync(path.join(dir, 'items'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, 'items', name), text);
  const good = fs.readFileSync(path.join(shipped, 'items', 'password-reset.yaml'), 'utf8');

  function problems(): string[] {
    try {
      loadCatalogItems(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogError);
      expect((error as Error).message).toContain(`the service catalog in ${path.join(dir, 'items')} has`);
      return (error as CatalogError).problems.map((p) => p.replace(path.join(dir, 'items') + path.sep, ''));
    }
    throw new Error('expected the catalog to fail loading');
  }

  it('loads a good copy', () => {
    write('reset.yaml', good);
    expect(loadCatalogItems(dir).map((item) => item.id)).toEqual(['reset']);
  });

  it('names a missing folder', () => {
    expect(() => loadCatalogItems(path.join(dir, 'nope'))).toThrow(/nope\/items: no such folder/);
  });

  it('names each file and field, and says what to fix', () => {
    write(
      'vpn.yaml',
      good
        .replace('name: Password reset', "name: ''")
        .replace('order: 5', 'order: 1.5')
        .replace('# No approval', 'approval:\n  levels:\n    - name: Manager\n      approvers: manager\n      mode: some\n# No approval')
        .replace('      group: service-desk', '      group: Service Desk')
        .concat('owner: alice\n'),
    );
    expect(problems()).toEqual([
      'vpn.yaml: name: must not be empty',
      'vpn.yaml: order: must be a whole number, not number 1.5',
      "vpn.yaml: approval.levels.0.mode: must be 'any', 'all', { percentage: N } (N above 0, at most 100) or { at_least: N } (a whole number, 1 or more)",
      'vpn.yaml: fulfilment.tasks.0.group: must be a group name: lower-case letters, digits, dots, dashes or underscores',
      'vpn.yaml: unknown field owner: remove it or check the spelling',
    ]);
  });

  it('reports missing fields and wrong types', () => {
    write('a.yaml', 'name: A\ncategory: [x]\ndescription: D\norder: 1\nform: { type: object, properties: {} }\napproval: { levels: [{ name: Boss }] }\nfulfilment: { group: desk, tasks: [] }\n');
    expect(problems()).toEqual([
      'a.yaml: category: must be a string, not a list',
      "a.yaml: approval.levels.0.approvers: must be 'manager', 'manager_of_manager', { users: [user names] } or { group: group name }",
      'a.yaml: fulfilment.tasks: list at least one task, each with a title and the group that does it',
    ]);
    write('a.yaml', 'name: A\n');
    expect(problems()).toEqual(['a.yaml: category: is missing', 'a.yaml: description: is missing', 'a.yaml: order: is missing', 'a.yaml: form: must be a mapping with `type: object` and `properties`', 'a.yaml: fulfilment: is missing']);
  });

  describe('approval', () => {
    const withApproval = (yaml: string) => good.replace('# No approval: the request goes straight to fulfilment.\n', `approval:\n${yaml.replace(/^/gm, '  ')}\n`);

    it('loads every feature of the engine, modes in its own form', () => {
      write(
        'a.yaml',
        withApproval(`levels:
  - name: Manager
    approvers: manager_of_manager
  - name: Owners
    approvers: { users: [alice, bob, carol] }
    mode: { at_least: 2 }
    rejectWhen: quorum_impossible
    due: 1d 12h
    onDue: escalate
    escalateTo: { group: dba }
  - name: Board
    approvers: { group: board }
    mode: { percentage: 66.5 }
    due: 4h
    onDue: approve
  - name: Audit
    approvers: { users: [dana] }
    mode: all
    escalateTo: manager
    due: 30m
    onDue: escalate`),
      );
      expect(loadCatalogItems(dir)[0]!.approval.levels).toEqual([
        { name: 'Manager', approvers: 'manager_of_manager', mode: { type: 'any' } },
        { name: 'Owners', approvers: { users: ['alice', 'bob', 'carol'] }, mode: { type: 'at_least', count: 2 }, rejectWhen: 'quorum_impossible', due: '1d 12h', onDue: 'escalate', escalateTo: { group: 'dba' } },
        { name: 'Board', approvers: { group: 'board' }, mode: { type: 'percentage', percent: 66.5 }, due: '4h', onDue: 'approve' },
        { name: 'Audit', approvers: { users: ['dana'] }, mode: { type: 'all' }, escalateTo: 'manager', due: '30m', onDue: 'escalate' },
      ]);
    });

    it('means none when absent or without levels', () => {
      write('a.yaml', good);
      write('b.yaml', withApproval('levels: []'));
      write('c.yaml', withApproval('{}'));
      expect(loadCatalogItems(dir).map((item) => item.approval)).toEqual([{ levels: [] }, { levels: [] }, { levels: [] }]);
    });

    it('checks each level, naming the level and the field', () => {
      write(
        'a.yaml',
        withApproval(`levels:
  - name: One
    approvers: { users: [alice, bob] }
    mode: { at_least: 3 }
  - name: Two
    approvers: { group: dba }
    mode: { percentage: 0 }
    due: 2 days
    onDue: escalate
  - name: Three
    approvers: boss
    mode: { at_least: 1.5 }
    rejectWhen: never
    onDue: later
  - name: Four
    approvers: { users: [] }
    due: 0m
    onDue: reject
  - name: Five
    approvers: manager
    mode: { at_least: 2 }
    due: 1d
  - name: Six
    approvers: { users: [alice, Bob, alice] }
    onDue: approve
    escalateTo: { users: [carol] }
  - name: One
    approvers: { group: dba }
    mode: { percentage: 101, at_least: 1 }
    rejectWhen: any_rejection`),
      );
      expect(problems()).toEqual([
        'a.yaml: approval.levels.0.mode.at_least: 3 approvals can never be reached: approvers lists 2 users',
        'a.yaml: approval.levels.1.mode.percentage: must be above 0',
        "a.yaml: approval.levels.1.due: must be a duration like '2d', '4h' or '1d 12h': whole numbers with units d h m s, in that order",
        "a.yaml: approval.levels.2.approvers: must be 'manager', 'manager_of_manager', { users: [user names] } or { group: group name }",
        "a.yaml: approval.levels.2.mode: must be 'any', 'all', { percentage: N } (N above 0, at most 100) or { at_least: N } (a whole number, 1 or more)",
        "a.yaml: approval.levels.2.rejectWhen: must be 'any_rejection' (the first rejection decides) or 'quorum_impossible' (rejected once approval is out of reach)",
        "a.yaml: approval.levels.2.onDue: must be 'approve', 'reject' or 'escalate'",
        'a.yaml: approval.levels.3.approvers.users: name at least one user',
        'a.yaml: approval.levels.3.due: must be longer than 0',
        'a.yaml: approval.levels.4.mode.at_least: 2 approvals can never be reached: manager is one approver',
        'a.yaml: approval.levels.4.onDue: is required with due: approve, reject or escalate when the level is still undecided',
        'a.yaml: approval.levels.5.approvers.users.1: must be a user name: lower-case letters, digits, dots, dashes or underscores',
        "a.yaml: approval.levels.6.mode: must be 'any', 'all', { percentage: N } (N above 0, at most 100) or { at_least: N } (a whole number, 1 or more)",
      ]);
    });

    it('checks rules across fields once each field is well formed', () => {
      write(
        'a.yaml',
        withApproval(`levels:
  - name: Six
    approvers: { users: [alice, bob, alice] }
    onDue: approve
    escalateTo: { users: [carol] }
  - name: Seven
    approvers: { group: dba }
    due: 2d
    onDue: escalate
`),
      );
      expect(problems()).toEqual([
        'a.yaml: approval.levels.0.approvers.users.2: lists alice twice',
        "a.yaml: approval.levels.0.due: is required with onDue: how long the level may take, e.g. '2d' or '4h'",
        'a.yaml: approval.levels.0.escalateTo: is used only with onDue: escalate; remove it or escalate',
        'a.yaml: approval.levels.1.escalateTo: is required with onDue: escalate: who is added as approver, e.g. { group: dba } or { users: [alice] }',
      ]);
    });

    it('wants each level named once', () => {
      write('a.yaml', withApproval('levels:\n  - { name: Manager, approvers: manager }\n  - { name: Manager, approvers: manager_of_manager }'));
      expect(problems()).toEqual(["a.yaml: approval.levels.1.name: another level is already called 'Manager'; give each level its own name"]);
    });

    it('explains the old single-rule format', () => {
      write('a.yaml', withApproval('required: true\napprovers: manager\nmode: any'));
      write('b.yaml', withApproval('levels: { name: Manager }'));
      write('c.yaml', withApproval('levels:\n  - name: Manager\n    approvers: manager\n    owner: bob'));
      expect(problems()).toEqual([
        'a.yaml: approval: unknown fields required, approvers, mode: approval now lists its levels, e.g. approval: { levels: [{ name: Manager, approvers: manager }] }; leave approval out when none is needed',
        'b.yaml: approval.levels: must be a list, not a mapping',
        'c.yaml: approval.levels.0: unknown field owner: remove it or check the spelling',
      ]);
    });
  });

  it('checks the form with the same rules as the domain, naming the field', () => {
    write('a.yaml', good.replace('      maxLength: 64', '      maxLength: 64\n      format: phone\n      examples: [alice]'));
    expect(problems()).toEqual([
      'a.yaml: form.properties.username.examples: is not supported; a string field may use type, title, description, enum, default, format, minLength, maxLength, pattern, x-widget',
      'a.yaml: form.properties.username.format: must be one of email, date',
    ]);
  });

  it('refuses an id inside the file, bad file names, .yml, empty files and broken YAML, all in one error', () => {
    write('with-id.yaml', `id: other\n${good}`);
    write('Bad_Name.yaml', good);
    write('old.yml', good);
    write('empty.yaml', '');
    write('broken.yaml', 'name: [A\ncategory: B\n');
    write('dup.yaml', `${good}name: again\n`);
    write('notes.txt', 'not an item');
    expect(problems()).toEqual([
      expect.stringMatching(/^Bad_Name\.yaml: rename the file: its name is the item's id, which uses lower-case letters, digits and single dashes/),
      expect.stringMatching(/^broken\.yaml: not valid YAML: .* at line 2, column 1$/),
      expect.stringMatching(/^dup\.yaml: not valid YAML: Map keys must be unique at line \d+, column 1$/),
      'empty.yaml: the file is empty; an item needs name, category, description, form, fulfilment and order, and approval if it needs one',
      'old.yml: rename the file to end in .yaml',
      "with-id.yaml: remove 'id': an item's id is its file name",
    ]);
  });
});
