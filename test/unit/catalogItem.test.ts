import {
  approvalDueInMs,
  approvalLevelIssues,
  type CatalogApprovalLevel,
  type CatalogItem,
  categoriesOf,
  fieldOrder,
  fixedApproverCount,
  type FormSchema,
  isCalendarDate,
  needsApproval,
  searchItems,
  validateAnswers,
  validateFormSchema,
} from '../../domain/catalogItem';

const form: FormSchema = {
  type: 'object',
  'x-order': ['startDate', 'email'],
  required: ['name', 'startDate', 'level'],
  properties: {
    name: { type: 'string', title: 'Full name', minLength: 2, maxLength: 10 },
    email: { type: 'string', title: 'Email', format: 'email' },
    startDate: { type: 'string', title: 'Start date', format: 'date' },
    level: { type: 'string', title: 'Access level', enum: ['Read only', 'Read and write'], default: 'Read only' },
    days: { type: 'integer', title: 'Days', minimum: 1, maximum: 90, default: 30 },
    budget: { type: 'number', title: 'Budget', minimum: 0.5, maximum: 1000 },
    size: { type: 'integer', title: 'Size', enum: [8, 16, 32] },
    code: { type: 'string', title: 'Cost centre', pattern: '^CC-\\d{4}$' },
    notes: { type: 'string', title: 'Notes', 'x-widget': 'textarea' },
    urgent: { type: 'boolean', title: 'Urgent' },
    accept: { type: 'boolean', title: 'I accept the policy', enum: [true] },
  },
};

const valid = { name: 'Ada', startDate: '2026-03-31' };

function errorsOf(answers: unknown, schema: FormSchema = form) {
  const result = validateAnswers(schema, answers);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.answers)}`);
  return result.errors;
}

function messageFor(field: string, value: unknown): string {
  const errors = errorsOf({ ...valid, [field]: value });
  expect(errors).toHaveLength(1);
  expect(errors[0]!.field).toBe(field);
  return errors[0]!.message;
}

describe('validateAnswers', () => {
  it('accepts valid answers, applies defaults and returns fields in form order', () => {
    const result = validateAnswers(form, { ...valid, email: 'ada@bank.example', urgent: false });
    expect(result).toEqual({ ok: true, answers: { startDate: '2026-03-31', email: 'ada@bank.example', name: 'Ada', level: 'Read only', days: 30, urgent: false } });
    expect(Object.keys((result as { answers: object }).answers)).toEqual(['startDate', 'email', 'name', 'level', 'days', 'urgent']);
  });

  it('names every missing required field without a default', () => {
    expect(errorsOf({})).toEqual([
      { field: 'startDate', message: 'Start date is required' },
      { field: 'name', message: 'Full name is required' },
    ]);
  });

  it('treats empty and blank strings and null as not answered', () => {
    expect(errorsOf({ name: '   ', startDate: null })).toEqual([
      { field: 'startDate', message: 'Start date is required' },
      { field: 'name', message: 'Full name is required' },
    ]);
    const result = validateAnswers(form, { ...valid, level: '', days: '', email: '' });
    expect(result).toEqual({ ok: true, answers: { ...valid, level: 'Read only', days: 30 } });
  });

  it('rejects fields the form does not have, after the form fields', () => {
    expect(errorsOf({ ...valid, name: '', admin: true, $where: 1 })).toEqual([
      { field: 'name', message: 'Full name is required' },
      { field: 'admin', message: "This form has no field 'admin'" },
      { field: '$where', message: "This form has no field '$where'" },
    ]);
  });

  it('does not mistake Object.prototype members for fields', () => {
    expect(errorsOf({ ...valid, constructor: 'x', toString: 'y' }).map((e) => e.field)).toEqual(['constructor', 'toString']);
    expect(errorsOf(JSON.parse('{"name":"Ada","startDate":"2026-03-31","__proto__":{"polluted":true}}'))).toEqual([{ field: '__proto__', message: "This form has no field '__proto__'" }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([null, 'text', 42, ['Ada']])('refuses answers that are not an object (%p)', (answers) => {
    expect(errorsOf(answers)).toEqual([{ field: '', message: 'The answers must be an object that maps each field name to its value' }]);
  });

  describe('text fields', () => {
    it('trims', () => {
      expect(validateAnswers(form, { ...valid, name: '  Ada  ' })).toMatchObject({ ok: true, answers: { name: 'Ada' } });
    });
    it('checks the type', () => {
      expect(messageFor('name', 42)).toBe('Full name must be text');
      expect(messageFor('name', ['Ada'])).toBe('Full name must be text');
    });
    it('checks lengths in characters, not bytes', () => {
      expect(messageFor('name', 'A')).toBe('Full name must be at least 2 characters (it has 1)');
      expect(messageFor('name', 'Ada Lovelace')).toBe('Full name must be at most 10 characters (it has 12)');
      expect(validateAnswers(form, { ...valid, name: '😀😀😀😀😀😀😀😀😀😀' }).ok).toBe(true);
    });
    it('checks emails', () => {
      expect(messageFor('email', 'ada@')).toBe('Email must be an email address like name@example.com');
      expect(messageFor('email', 'ada@bank')).toBe('Email must be an email address like name@example.com');
      expect(messageFor('email', 'ada lovelace@bank.example')).toBe('Email must be an email address like name@example.com');
      expect(validateAnswers(form, { ...valid, email: 'ada.lovelace+it@bank.co.uk' }).ok).toBe(true);
    });
    it('checks dates, including that the day exists', () => {
      expect(messageFor('startDate', '31/03/2026')).toBe('Start date must be a date like 2026-03-31');
      expect(messageFor('startDate', '2026-02-29')).toBe('Start date must be a date like 2026-03-31');
      expect(messageFor('startDate', '2026-13-01')).toBe('Start date must be a date like 2026-03-31');
      expect(validateAnswers(form, { ...valid, startDate: '2028-02-29' }).ok).toBe(true);
    });
    it('checks patterns', () => {
      expect(messageFor('code', 'CC-12')).toBe('Cost centre is not in the expected format');
      expect(validateAnswers(form, { ...valid, code: ' CC-1234 ' })).toMatchObject({ ok: true, answers: { code: 'CC-1234' } });
    });
    it('checks choices', () => {
      expect(messageFor('level', 'Admin')).toBe('Access level must be one of: Read only or Read and write');
      expect(messageFor('level', 'read only')).toBe('Access level must be one of: Read only or Read and write');
    });
  });

  describe('number fields', () => {
    it('accepts numbers and the decimal strings a form input holds', () => {
      expect(validateAnswers(form, { ...valid, days: '7', budget: ' 12.5 ' })).toMatchObject({ ok: true, answers: { days: 7, budget: 12.5 } });
      expect(validateAnswers(form, { ...valid, days: 7, budget: 1e2 })).toMatchObject({ ok: true, answers: { days: 7, budget: 100 } });
    });
    it('checks the type', () => {
      expect(messageFor('budget', 'ten')).toBe('Budget must be a number');
      expect(messageFor('budget', '12abc')).toBe('Budget must be a number');
      expect(messageFor('budget', true)).toBe('Budget must be a number');
      expect(messageFor('budget', '0x10')).toBe('Budget must be a number');
      expect(messageFor('days', 2.5)).toBe('Days must be a whole number');
      expect(messageFor('days', '2.5')).toBe('Days must be a whole number');
    });
    it('checks ranges, inclusive', () => {
      expect(messageFor('days', 0)).toBe('Days must be at least 1');
      expect(messageFor('days', 91)).toBe('Days must be at most 90');
      expect(messageFor('budget', 0.4)).toBe('Budget must be at least 0.5');
      expect(validateAnswers(form, { ...valid, days: 90, budget: 0.5 }).ok).toBe(true);
    });
    it('checks choices after conversion', () => {
      expect(validateAnswers(form, { ...valid, size: '16' })).toMatchObject({ ok: true, answers: { size: 16 } });
      expect(messageFor('size', 12)).toBe('Size must be one of: 8, 16 or 32');
    });
  });

  describe('yes/no fields', () => {
    it('accepts only booleans', () => {
      expect(messageFor('urgent', 'yes')).toBe('Urgent must be yes or no (true or false)');
      expect(messageFor('urgent', 1)).toBe('Urgent must be yes or no (true or false)');
    });
    it('can demand a tick', () => {
      expect(messageFor('accept', false)).toBe('I accept the policy must be true');
      expect(validateAnswers(form, { ...valid, accept: true }).ok).toBe(true);
    });
  });

  it('reports one message per field and every failing field', () => {
    const errors = errorsOf({ name: 'A', startDate: 'soon', days: 0, email: 'x' });
    expect(errors.map((e) => e.field)).toEqual(['startDate', 'email', 'name', 'days']);
  });

  it('summarises long option lists', () => {
    const many: FormSchema = { type: 'object', properties: { n: { type: 'integer', title: 'N', enum: [1, 2, 3, 4, 5, 6, 7, 8, 9] } } };
    expect(errorsOf({ n: 10 }, many)).toEqual([{ field: 'n', message: 'N must be one of the 9 offered options' }]);
  });
});

describe('fieldOrder', () => {
  it('puts x-order first, then the rest in declaration order', () => {
    expect(fieldOrder(form)).toEqual(['startDate', 'email', 'name', 'level', 'days', 'budget', 'size', 'code', 'notes', 'urgent', 'accept']);
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2026-01-31', true],
    ['2026-04-31', false],
    ['2024-02-29', true],
    ['2100-02-29', false],
    ['2000-02-29', true],
    ['2026-00-10', false],
    ['2026-1-10', false],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });
});

describe('validateFormSchema', () => {
  it('accepts the example form', () => {
    expect(validateFormSchema(form)).toEqual([]);
  });

  it('rejects what is not a form', () => {
    expect(validateFormSchema(null)).toEqual(['must be a mapping with `type: object` and `properties`']);
    expect(validateFormSchema({ type: 'array', properties: [] })).toEqual(["type: must be 'object'", 'properties: must be a mapping from field names to fields']);
  });

  it('treats unsupported keywords as errors instead of ignoring them', () => {
    expect(validateFormSchema({ type: 'object', properties: {}, additionalProperties: false })).toEqual(['additionalProperties: is not supported in a form; use only type, properties, required, x-order']);
    expect(
      validateFormSchema({
        type: 'object',
        properties: {
          a: { type: 'string', title: 'A', minimum: 1 },
          b: { type: 'number', title: 'B', exclusiveMinimum: 0 },
          c: { type: 'boolean', title: 'C', format: 'date' },
        },
      }),
    ).toEqual([
      'properties.a.minimum: does not apply to string fields; remove it or change the type',
      'properties.b.exclusiveMinimum: is not supported; a number field may use type, title, description, enum, default, minimum, maximum',
      'properties.c.format: does not apply to boolean fields; remove it or change the type',
    ]);
  });

  it('checks names, types and titles', () => {
    expect(
      validateFormSchema({
        type: 'object',
        properties: { 'cost.centre': { type: 'string', title: 'C' }, a: { type: 'array', title: 'A' }, b: { type: 'string' }, c: 'text' },
      }),
    ).toEqual([
      'properties.cost.centre: field names start with a letter and use only letters, digits and underscores (at most 64)',
      'properties.a.type: must be one of string, number, integer, boolean',
      'properties.b.title: must be a non-empty text: the label the requester sees',
      'properties.c: must be a mapping with at least `type` and `title`',
    ]);
  });

  it('checks the values of keywords', () => {
    const issues = validateFormSchema({
      type: 'object',
      properties: {
        a: { type: 'string', title: 'A', format: 'phone', minLength: -1, maxLength: 2.5, pattern: '([a-z', 'x-widget': 'editor' },
        b: { type: 'integer', title: 'B', minimum: 10, maximum: 1 },
        c: { type: 'string', title: 'C', minLength: 5, maxLength: 2, description: 3 },
        d: { type: 'string', title: 'D', 'x-widget': 'textarea', enum: ['x'] },
      },
    });
    expect(issues).toEqual([
      'properties.a.format: must be one of email, date',
      "properties.a.x-widget: must be 'textarea'",
      'properties.a.x-widget: a textarea cannot also have enum or format',
      'properties.a.minLength: must be a whole number, 0 or more',
      'properties.a.maxLength: must be a whole number, 0 or more',
      expect.stringMatching(/^properties\.a\.pattern: is not a valid regular expression: /),
      'properties.b.minimum: must not be greater than maximum',
      'properties.c.description: must be text',
      'properties.c.minLength: must not be greater than maxLength',
      'properties.d.x-widget: a textarea cannot also have enum or format',
    ]);
  });

  it('checks options and defaults against the field itself', () => {
    expect(
      validateFormSchema({
        type: 'object',
        properties: {
          a: { type: 'string', title: 'A', enum: [] },
          b: { type: 'integer', title: 'B', enum: [1, 1.5, 'two', 1] },
          c: { type: 'string', title: 'C', enum: ['', ' x', 'ok'] },
          d: { type: 'string', title: 'D', enum: ['x', 'y'], default: 'z' },
          e: { type: 'integer', title: 'E', maximum: 10, default: 11 },
          f: { type: 'string', title: 'F', default: '' },
          g: { type: 'number', title: 'G', default: '5' },
          h: { type: 'string', title: 'H', pattern: '^\\d+$', enum: ['1', 'one'] },
        },
      }),
    ).toEqual([
      'properties.a.enum: must be a non-empty list of the allowed values',
      'properties.b.enum.1: must be a whole number, like the field',
      'properties.b.enum.2: must be a whole number, like the field',
      'properties.b.enum.3: repeats 1',
      'properties.c.enum.0: must not be empty or start or end with spaces',
      'properties.c.enum.1: must not be empty or start or end with spaces',
      'properties.d.default: is not a valid answer: D must be one of: x or y',
      'properties.e.default: is not a valid answer: E must be at most 10',
      'properties.f.default: is not a valid answer: an empty default means no default; leave it out',
      'properties.g.default: must be a number, like the field',
      'properties.h.enum.1: is not a valid answer: H is not in the expected format',
    ]);
  });

  it('checks required and x-order name fields of the form, once each', () => {
    expect(validateFormSchema({ type: 'object', properties: { a: { type: 'string', title: 'A' } }, required: ['a', 'b', 'a'], 'x-order': 'a' })).toEqual([
      'required.1: "b" is not a field of this form',
      'required.2: lists a twice',
      'x-order: must be a list of field names',
    ]);
  });
});

const item = (id: string, fields: Partial<CatalogItem>): CatalogItem => ({
  id,
  name: id,
  category: 'Other',
  description: '',
  keywords: [],
  form: { type: 'object', properties: {} },
  approval: { levels: [] },
  fulfilment: { group: 'service-desk', tasks: [{ title: 'Do it', group: 'service-desk' }] },
  order: 100,
  ...fields,
});

const catalog = [
  item('vpn', { name: 'VPN access', category: 'Access', description: 'Remote access to the network from home.', keywords: ['remote', 'home working'], order: 30 }),
  item('laptop', { name: 'Laptop', category: 'Hardware', description: 'A standard laptop for office work.', keywords: ['notebook', 'computer'], order: 10 }),
  item('db', { name: 'Database access', category: 'Access', description: 'Time-limited access to a production database.', keywords: ['sql', 'oracle'], order: 60 }),
  item('reset', { name: 'Password reset', category: 'Accounts', description: 'Locked out of your laptop or email?', keywords: ['password', 'unlock'], order: 5 }),
  item('cafe', { name: 'Café badge', category: 'Facilities', description: 'Staff restaurant access.', order: 70 }),
];
const ids = (items: CatalogItem[]) => items.map((i) => i.id);

describe('searchItems', () => {
  it('lists everything in catalog order without a query', () => {
    expect(ids(searchItems(catalog))).toEqual(['reset', 'laptop', 'vpn', 'db', 'cafe']);
    expect(ids(searchItems(catalog, { q: '  ' }))).toEqual(['reset', 'laptop', 'vpn', 'db', 'cafe']);
  });

  it('filters by category, ignoring case', () => {
    expect(ids(searchItems(catalog, { category: 'access' }))).toEqual(['vpn', 'db']);
    expect(ids(searchItems(catalog, { category: 'Nothing' }))).toEqual([]);
  });

  it('finds words in name, keywords, category and description, ignoring case and accents', () => {
    expect(ids(searchItems(catalog, { q: 'VPN' }))).toEqual(['vpn']);
    expect(ids(searchItems(catalog, { q: 'oracle' }))).toEqual(['db']);
    expect(ids(searchItems(catalog, { q: 'hardware' }))).toEqual(['laptop']);
    expect(ids(searchItems(catalog, { q: 'restaurant' }))).toEqual(['cafe']);
    expect(ids(searchItems(catalog, { q: 'cafe' }))).toEqual(['cafe']);
  });

  it('matches word prefixes and plurals, not arbitrary substrings', () => {
    expect(ids(searchItems(catalog, { q: 'lap' }))).toEqual(['laptop', 'reset']);
    expect(ids(searchItems(catalog, { q: 'laptops' }))).toEqual(['laptop', 'reset']);
    expect(ids(searchItems(catalog, { q: 'top' }))).toEqual([]);
  });

  it('ranks a hit in the name above one in the description', () => {
    expect(ids(searchItems(catalog, { q: 'laptop' }))).toEqual(['laptop', 'reset']);
    expect(ids(searchItems(catalog, { q: 'access' }))).toEqual(['vpn', 'db', 'cafe']);
  });

  it('needs every word to match', () => {
    expect(ids(searchItems(catalog, { q: 'access database' }))).toEqual(['db']);
    expect(ids(searchItems(catalog, { q: 'access printer' }))).toEqual([]);
  });

  it('combines a query with a category', () => {
    expect(ids(searchItems(catalog, { q: 'access', category: 'Access' }))).toEqual(['vpn', 'db']);
  });

  it('does not reorder its input', () => {
    const copy = [...catalog];
    searchItems(copy);
    expect(copy).toEqual(catalog);
  });
});

describe('categoriesOf', () => {
  it('lists each category once, alphabetically', () => {
    expect(categoriesOf(catalog)).toEqual(['Access', 'Accounts', 'Facilities', 'Hardware']);
  });
});

describe('approval levels', () => {
  const level = (fields: Partial<CatalogApprovalLevel>): CatalogApprovalLevel => ({ name: 'Manager', approvers: 'manager', mode: { type: 'any' }, ...fields });

  it('needs approval only when the item has levels', () => {
    expect(needsApproval(item('a', {}))).toBe(false);
    expect(needsApproval(item('a', { approval: { levels: [level({})] } }))).toBe(true);
  });

  it('turns the due duration into ms, calendar time', () => {
    expect(approvalDueInMs(level({}))).toBeUndefined();
    expect(approvalDueInMs(level({ due: '2d', onDue: 'reject' }))).toBe(2 * 86_400_000);
    expect(approvalDueInMs(level({ due: '1d 12h', onDue: 'approve' }))).toBe(36 * 3_600_000);
  });

  it('counts the approvers a rule fixes: one manager, a distinct list; a group is unknown until a request', () => {
    expect(fixedApproverCount('manager')).toBe(1);
    expect(fixedApproverCount('manager_of_manager')).toBe(1);
    expect(fixedApproverCount({ users: ['a', 'b', 'a'] })).toBe(2);
    expect(fixedApproverCount({ group: 'dba' })).toBeNull();
  });

  it('accepts consistent levels', () => {
    expect(approvalLevelIssues(level({}))).toEqual([]);
    expect(approvalLevelIssues(level({ approvers: { users: ['a', 'b', 'c'] }, mode: { type: 'at_least', count: 3 }, due: '4h', onDue: 'escalate', escalateTo: { group: 'dba' } }))).toEqual([]);
    expect(approvalLevelIssues(level({ approvers: { group: 'dba' }, mode: { type: 'at_least', count: 5 }, due: '2d', onDue: 'reject', rejectWhen: 'any_rejection' }))).toEqual([]);
  });

  it('refuses a quorum the named approvers can never reach', () => {
    expect(approvalLevelIssues(level({ approvers: { users: ['a', 'b'] }, mode: { type: 'at_least', count: 3 } }))).toEqual([
      { path: 'mode.at_least', message: '3 approvals can never be reached: approvers lists 2 users' },
    ]);
    expect(approvalLevelIssues(level({ mode: { type: 'at_least', count: 2 } }))).toEqual([{ path: 'mode.at_least', message: '2 approvals can never be reached: manager is one approver' }]);
  });

  it('refuses a user listed twice', () => {
    expect(approvalLevelIssues(level({ approvers: { users: ['a', 'b', 'a'] } }))).toEqual([{ path: 'approvers.users.2', message: 'lists a twice' }]);
  });

  it('pairs due with onDue, and escalateTo with escalate', () => {
    expect(approvalLevelIssues(level({ due: '2d' }))).toEqual([{ path: 'onDue', message: 'is required with due: approve, reject or escalate when the level is still undecided' }]);
    expect(approvalLevelIssues(level({ onDue: 'approve' }))).toEqual([{ path: 'due', message: "is required with onDue: how long the level may take, e.g. '2d' or '4h'" }]);
    expect(approvalLevelIssues(level({ due: '2d', onDue: 'escalate' }))).toEqual([
      { path: 'escalateTo', message: 'is required with onDue: escalate: who is added as approver, e.g. { group: dba } or { users: [alice] }' },
    ]);
    expect(approvalLevelIssues(level({ due: '2d', onDue: 'reject', escalateTo: { users: ['b'] } }))).toEqual([{ path: 'escalateTo', message: 'is used only with onDue: escalate; remove it or escalate' }]);
  });
});
