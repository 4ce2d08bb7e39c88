import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateAnswers, validateFormSchema } from '../../domain/catalogItem';
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
    expect(byId.get('vpn-access')!.approval).toEqual({ required: true, approvers: 'manager', mode: 'any' });
    expect(byId.get('database-access')!.approval).toEqual({ required: true, approvers: { group: 'dba' }, mode: 'all' });
    expect(byId.get('new-starter')!.approval).toMatchObject({ required: true, approvers: 'manager' });
    expect(byId.get('password-reset')!.approval.required).toBe(false);
    expect(new Set(byId.get('new-starter')!.fulfilment.tasks.map((task) => task.group))).toEqual(new Set(['service-desk', 'network']));
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
        .replace('approval:\n  required: false', 'approval:\n  required: true\n  mode: some')
        .replace('      group: service-desk', '      group: Service Desk')
        .concat('owner: alice\n'),
    );
    expect(problems()).toEqual([
      'vpn.yaml: name: must not be empty',
      'vpn.yaml: order: must be a whole number, not number 1.5',
      "vpn.yaml: approval.mode: must be 'any' (one approval is enough) or 'all' (every approver must approve)",
      'vpn.yaml: fulfilment.tasks.0.group: must be a group name: lower-case letters, digits, dots, dashes or underscores',
      'vpn.yaml: unknown field owner: remove it or check the spelling',
    ]);
  });

  it('reports missing fields and wrong types', () => {
    write('a.yaml', 'name: A\ncategory: [x]\ndescription: D\norder: 1\nform: { type: object, properties: {} }\napproval: { required: true }\nfulfilment: { group: desk, tasks: [] }\n');
    expect(problems()).toEqual([
      'a.yaml: category: must be a string, not a list',
      "a.yaml: approval.approvers: is required when approval is required: 'manager', { users: [...] } or { group: ... }",
      'a.yaml: fulfilment.tasks: list at least one task, each with a title and the group that does it',
    ]);
    write('a.yaml', 'name: A\n');
    expect(problems()).toEqual(['a.yaml: category: is missing', 'a.yaml: description: is missing', 'a.yaml: order: is missing', 'a.yaml: form: must be a mapping with `type: object` and `properties`', 'a.yaml: approval: is missing', 'a.yaml: fulfilment: is missing']);
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
      'empty.yaml: the file is empty; an item needs name, category, description, form, approval, fulfilment and order',
      'old.yml: rename the file to end in .yaml',
      "with-id.yaml: remove 'id': an item's id is its file name",
    ]);
  });
});
