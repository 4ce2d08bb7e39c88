import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, evaluateCondition, ExpressionError, LIMITS, parseExpression } from '../../../domain/automation/expression';

/** The shape the run workflow gives a condition: parameters, the target and earlier step results. */
const context = {
  params: { service: 'nginx', ports: [80, 443], index: 2, badPattern: '(a', empty: '' },
  target: { name: 'web-01', zone: 'dc-a' },
  steps: {
    check: { status: 'succeeded', exitCode: 0, stdout: 'nginx.service is active (running)', stderr: '' },
    'check-disk': { status: 'failed', exitCode: 1, stdout: '93', stderr: 'disk almost full' },
  },
  hosts: [
    { name: 'a', exitCode: 0 },
    { name: 'b', exitCode: 2 },
    { name: 'c', exitCode: 0 },
  ],
};

function value(text: string, data: object = context): unknown {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return evaluate(parsed.ast, data);
}

function parseError(text: string) {
  const parsed = parseExpression(text);
  if (parsed.ok) throw new Error(`${text} parsed`);
  return parsed.error;
}

function evaluationError(text: string, data: object = context): string {
  try {
    value(text, data);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  throw new Error(`${text} evaluated`);
}

describe('literals', () => {
  test.each<[string, unknown]>([
    ['42', 42],
    ['-3.5', -3.5],
    ['.5', 0.5],
    ['"a\\"b"', 'a"b'],
    ['"tab\\tand\\nline"', 'tab\tand\nline'],
    ['"\\u00e9 \\U01F600"', 'é 😀'],
    ['"\\\\"', '\\'],
    ['"\\d+"', '\\d+'], // unknown escapes stay as written, so patterns read naturally (as in Camunda)
    ['true', true],
    ['false', false],
    ['null', null],
    ['[]', []],
    ['[1, "a", null, [true]]', [1, 'a', null, [true]]],
    ['{}', {}],
    ['{a: 1, "b c": 2}', { a: 1, 'b c': 2 }],
    ['{a: 1, b: a + 1}', { a: 1, b: 2 }], // an entry sees the entries before it
    ['{if: 1}.`if`', 1], // a key may be any word; a reserved one is written in backticks as a name
    ['1 /* one */ + // the rest of the line\n 2', 3],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  test('a "__proto__" key is only a key', () => {
    const result = value('{"__proto__": 1}') as object;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(value('{"__proto__": 1}.__proto__')).toBe(1);
  });
});

describe('names and paths', () => {
  test.each<[string, unknown]>([
    ['steps.check.exitCode', 0],
    ['params.service', 'nginx'],
    ['target.name', 'web-01'],
    ['steps.`check-disk`.exitCode', 1],
    ['`params`.service', 'nginx'],
    // missing names and paths are null (FEEL), never an error
    ['missing', null],
    ['steps.nope.exitCode', null],
    ['steps.check.exitCode.more', null],
    ['target.name.length', null],
    // a hyphen is minus: `check - disk.exitCode` is a number minus null
    ['steps.check-disk.exitCode', null],
    // only own entries of plain objects: no prototype, no methods
    ['params.constructor', null],
    ['params.toString', null],
    ['params.__proto__', null],
    ['params.hasOwnProperty', null],
    // a path over a list takes the entry of every item (FEEL projection)
    ['hosts.name', ['a', 'b', 'c']],
    ['hosts.length', [null, null, null]],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  test('values JSON does not have read as null', () => {
    const data = { when: new Date(0), nan: NaN, infinite: Infinity, missing: undefined, fn: () => 1, map: new Map([['a', 1]]), big: BigInt(1), instance: new (class Host {})() };
    for (const name of Object.keys(data)) expect(value(`${name} = null`, data)).toBe(true);
    expect(value('map.a', data)).toBeNull();
  });

  test.each<[string, unknown]>([
    ['hosts[1].name', 'a'],
    ['hosts[-1].name', 'c'],
    ['hosts[4]', null],
    ['hosts[0]', null],
    ['[10, 20, 30][params.index]', 20],
    ['hosts[exitCode != 0].name', ['b']],
    ['hosts[item.exitCode = 0].name', ['a', 'c']],
    ['[1, 2, 3][item > 1]', [2, 3]],
    ['count(hosts[exitCode = 0])', 2],
    ['hosts[exitCode > 5]', []],
    ['"abc"[1]', null],
  ])('filter %s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });
});

describe('comparison (FEEL null semantics)', () => {
  test.each<[string, boolean | null]>([
    ['1 = 1', true],
    ['1 = 2', false],
    ['"a" = "a"', true],
    ['true = true', true],
    ['null = null', true],
    ['null != null', false],
    ['1 = null', false],
    ['null = 1', false],
    ['1 != null', true],
    ['missing = null', true],
    ['1 = "1"', null],
    ['1 != "1"', null],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2', true],
    ['2 >= 3', false],
    ['"abc" < "abd"', true],
    ['1 < "a"', null],
    ['true < false', null],
    ['null < 1', null],
    ['[1, 2] = [1, 2]', true],
    ['[1, 2] = [2, 1]', false],
    ['[1] = ["1"]', false],
    ['[1] = 1', null],
    ['{a: 1} = {a: 1}', true],
    ['{a: 1} = {a: 2}', false],
    ['{a: 1} = {b: 1}', false],
    ['0.1 + 0.2 = 0.3', true],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  test.each<[string, boolean | null]>([
    ['5 between 1 and 10', true],
    ['1 between 1 and 10', true],
    ['11 between 1 and 10', false],
    ['"b" between "a" and "c"', true],
    ['5 between "a" and 10', null],
    ['null between 1 and 2', null],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  test.each<[string, boolean | null]>([
    ['5 in (1..10)', true],
    ['1 in (1..10)', false],
    ['1 in [1..10]', true],
    ['10 in [1..10)', false],
    ['10 in [1..10[', false],
    ['1 in ]1..10]', false],
    ['10 in ]1..10]', true],
    ['"b" in ["a".."c"]', true],
    ['"a" in (1..10)', null],
    ['5 in (< 3, > 4)', true],
    ['5 in < 3', false],
    ['5 in <= 5', true],
    ['5 in 5', true],
    ['"b" in ("a", "b")', true],
    ['"c" in ["a", "b"]', false],
    ['params.service in ["nginx", "httpd"]', true],
    ['443 in params.ports', true],
    ['null in [1, null]', true],
    ['5 in (1, "a")', null],
    ['[1] in [[1], [2]]', true],
    ['5 in [1..10] and true', true], // `in` binds tighter than `and`
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toBe(expected);
  });
});

describe('logic (three-valued)', () => {
  const truth = [true, false, null] as const;
  const and = (a: boolean | null, b: boolean | null) => (a === false || b === false ? false : a === true && b === true ? true : null);
  const or = (a: boolean | null, b: boolean | null) => (a === true || b === true ? true : a === false && b === false ? false : null);
  const rows = truth.flatMap((a) => truth.map((b) => [a, b] as const));

  test.each(rows)('%p and %p', (a, b) => {
    expect(value(`${String(a)} and ${String(b)}`)).toBe(and(a, b));
  });

  test.each(rows)('%p or %p', (a, b) => {
    expect(value(`${String(a)} or ${String(b)}`)).toBe(or(a, b));
  });

  test.each<[string, boolean | null]>([
    ['"x" and false', false],
    ['"x" and true', null],
    ['"x" or true', true],
    ['1 or false', null],
    ['not(true)', false],
    ['not(false)', true],
    ['not(null)', null],
    ['not("x")', null],
    ['true and true and null', null],
    ['false or false or true', true],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  test('and/or stop at the first operand that decides', () => {
    expect(value('false and matches("a", params.badPattern)')).toBe(false);
    expect(value('true or matches("a", params.badPattern)')).toBe(true);
    expect(evaluationError('true and matches("a", params.badPattern)')).toMatch(/pattern cannot be used/);
  });
});

describe('arithmetic', () => {
  test.each<[string, unknown]>([
    ['1 + 2', 3],
    ['5 - 7', -2],
    ['2 * 3.5', 7],
    ['7 / 2', 3.5],
    ['2 ** 10', 1024],
    ['-(2 + 3)', -5],
    ['0.1 + 0.2', 0.3],
    ['0.1 * 3', 0.3],
    ['1 / 3', 0.333333333333333],
    ['1 / 0', null],
    ['10 ** 400', null],
    ['"a" + "b"', 'ab'],
    ['"a" + 1', null],
    ['1 - "a"', null],
    ['"a" * 2', null],
    ['null + 1', null],
    ['-"a"', null],
    ['steps.check.exitCode + 1', 1],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  test('no negative zero', () => {
    expect(Object.is(value('0 * -1'), 0)).toBe(true);
    expect(Object.is(value('-0'), 0)).toBe(true);
  });
});

describe('precedence', () => {
  test.each<[string, unknown]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 * 3 ** 2', 18],
    ['10 - 4 - 3', 3],
    ['12 / 2 / 3', 2],
    ['2 ** 3 ** 2', 64], // left to right, as in Camunda
    ['-2 ** 2', 4], // unary minus binds tighter than **, as in Camunda
    ['-1 + 2', 1],
    ['1 + 1 = 2', true],
    ['1 = 1 and 2 = 2', true],
    ['true or false and false', true],
    ['(true or false) and false', false],
    ['false and false or true', true],
    ['not(true) or true', true],
    ['if true then 1 else 2 + 3', 1],
    ['if false then 1 else 2 + 3', 5],
    ['"a" + "b" = "ab"', true],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });
});

describe('if', () => {
  test.each<[string, unknown]>([
    ['if steps.check.exitCode = 0 then "ok" else "failed"', 'ok'],
    ['if steps.`check-disk`.exitCode = 0 then "ok" else "failed"', 'failed'],
    ['if null then 1 else 2', 2],
    ['if "yes" then 1 else 2', 2],
    ['if 1 > 0 then if 2 > 1 then "a" else "b" else "c"', 'a'],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });
});

describe('built-in functions', () => {
  test.each<[string, unknown]>([
    ['contains("foobar", "ob")', true],
    ['contains("foobar", "of")', false],
    ['contains(null, "a")', null],
    ['contains(1, "1")', null],
    ['starts with("foobar", "fo")', true],
    ['starts with("foobar", "ob")', false],
    ['ends with("foobar", "ar")', true],
    ['ends with(null, "r")', null],
    ['matches("foobar", "^fo*bar")', true],
    ['matches("foobar", "^bar")', false],
    ['matches("FOO", "foo", "i")', true],
    ['matches(1, "1")', null],
    ['string length("foo")', 3],
    ['string length("😀")', 1],
    ['string length(3)', null],
    ['upper case("aBc4")', 'ABC4'],
    ['lower case("aBc4")', 'abc4'],
    ['trim("  x  ")', 'x'],
    ['trim(null)', null],
    ['substring("foobar", 3)', 'obar'],
    ['substring("foobar", 3, 3)', 'oba'],
    ['substring("foobar", -2)', 'ar'],
    ['substring("foobar", -3, 2)', 'ba'],
    ['substring("foobar", 3, 10)', 'obar'],
    ['substring("a😀b", 2, 1)', '😀'],
    ['substring("foobar", 9)', null],
    ['substring("foobar", 1.5)', null],
    ['number("12")', 12],
    ['number("-1.5")', -1.5],
    ['number(".5")', 0.5],
    ['number("1e3")', 1000],
    ['number("12abc")', null],
    ['number("")', null],
    ['number(" 1")', null],
    ['number(12)', null],
    ['string(1)', '1'],
    ['string(1.5)', '1.5'],
    ['string(true)', 'true'],
    ['string("a")', 'a'],
    ['string(null)', null],
    ['string([1, "a", null])', '[1, "a", null]'],
    ['string({a: 1, b: "x"})', '{a:1, b:"x"}'],
    ['string(steps.check.exitCode)', '0'],
    ['count([1, 2, 3])', 3],
    ['count([])', 0],
    ['count("abc")', null],
    ['count(hosts)', 3],
    ['list contains([1, 2], 2)', true],
    ['list contains([1, 2], 3)', false],
    ['list contains([1, null], null)', true],
    ['list contains([[1]], [1])', true],
    ['list contains("x", 1)', null],
    ['is defined(1)', true],
    ['is defined(null)', false],
    ['is defined(missing)', false],
    ['is defined(steps.check)', true],
    ['is defined(steps.check.nope)', false],
    // named arguments, in any order, with FEEL's parameter names
    ['contains(string: "abc", match: "b")', true],
    ['contains(match: "b", string: "abc")', true],
    ['substring(string: "foobar", start position: 3)', 'obar'],
    ['substring(length: 2, string: "foobar", start position: 3)', 'ob'],
    ['matches(input: "ABC", pattern: "b", flags: "i")', true],
    // a function name does not hide a variable of the same first word
    ['{string: "s"}.string', 's'],
  ])('%s → %p', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });
});

describe('matches(): patterns run in linear time', () => {
  const match = (input: string, pattern: string, flags = '') => value('matches(input, pattern, flags)', { input, pattern, flags });

  test.each<[string, string, string, boolean]>([
    ['nginx.service is active (running)', 'active \\(running\\)', '', true],
    ['active\n', 'active$', '', true], // as in Java, $ also matches before a final line break
    ['active\nx', 'active$', '', false],
    ['active\nx', 'active$', 'm', true],
    ['a\nb', '^b', 'm', true],
    ['a\nb', '^b', '', false],
    ['a\nb', 'a.b', '', false],
    ['a\nb', 'a.b', 's', true],
    ['ABC', '[^a]', 'i', true],
    ['A', '[^a]', 'i', false],
    ['10.1.2.3', '^(\\d{1,3}\\.){3}\\d{1,3}$', '', true],
    ['10.1.2', '^(\\d{1,3}\\.){3}\\d{1,3}$', '', false],
    ['the active one', '\\bactive\\b', '', true],
    ['inactive', '\\bactive\\b', '', false],
    ['a.b', 'a\\.b', '', true],
    ['axb', 'a\\.b', '', false],
    ['cat', 'dog|cat', '', true],
    ['aab', 'a{2}b', '', true],
    ['ab', 'a{2}b', '', false],
    ['a{b', 'a{b', '', true],
    ['x-y_z', '^[\\w-]+$', '', true],
    ['tab\there', '\\s', '', true],
    ['é', '^.$', '', true],
    ['😀', '^.$', '', true],
    ['web-01', '(?<host>web)-(?:\\d+)', '', true],
    ['', '^$', '', true],
    ['anything', '', '', true],
  ])('matches(%j, %j, %j) → %p', (input, pattern, flags, expected) => {
    expect(match(input, pattern, flags)).toBe(expected);
  });

  test('patterns that make backtracking engines hang finish at once', () => {
    const started = performance.now();
    expect(match(`${'a'.repeat(5000)}b`, '(a+)+$')).toBe(false);
    expect(match('a'.repeat(5000), '(a|aa)*c')).toBe(false);
    expect(match('y'.repeat(5000), '(.*)*x')).toBe(false);
    expect(match('y'.repeat(5000), '.*.*.*.*.*x')).toBe(false);
    expect(match(`${'word '.repeat(1000)}!`, '^(\\w+\\s?)*$')).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('what needs backtracking is refused when the runbook is parsed, with the position', () => {
    expect(parseError('matches(x, "(a)\\1")').message).toBe('this pattern cannot be used at column 12: backreferences (\\1) are not supported at character 4 of the pattern');
    expect(parseError('matches(x, "a(?=b)")').message).toMatch(/^this pattern cannot be used at column 12: lookahead and lookbehind/);
    expect(parseError('matches(x, "(a")').message).toBe("this pattern cannot be used at column 12: unclosed group '(' at character 1 of the pattern");
    expect(parseError('matches(x, "a**")').message).toBe("this pattern cannot be used at column 12: '*' has nothing to repeat at character 3 of the pattern");
    expect(parseError('matches(x, "\\p{L}")').message).toMatch(/Unicode classes .* not supported yet/);
    expect(parseError('matches(x, "a", "x")').message).toMatch(/flag 'x' \(comments in patterns\) is not supported/);
    expect(parseError('matches(x, "a", "q")').message).toMatch(/unknown flag 'q'/);
    expect(parseError('matches(x, "((a{100}){100}){100}")').message).toMatch(/too large once its repetitions are expanded/);
  });

  test('a pattern from data is checked when it runs', () => {
    expect(evaluationError('matches("a", params.badPattern)')).toBe("this pattern cannot be used at column 1: unclosed group '(' at character 1 of the pattern");
  });

  test('input and pattern length are limited', () => {
    expect(evaluationError('matches(big, "x")', { big: 'a'.repeat(LIMITS.matchInput + 1) })).toBe(
      'matches() was given 1,000,001 characters; the limit is 1,000,000 at column 1: match a substring() of it, or use contains()',
    );
    expect(evaluationError('matches("a", p)', { p: 'a'.repeat(LIMITS.patternLength + 1) })).toMatch(/the pattern has 1,001 characters; the limit is 1,000/);
  });
});

describe('conditions over step results', () => {
  const failing = { ...context, steps: { check: { status: 'failed', exitCode: 3, stdout: 'inactive (dead)', stderr: 'Unit nginx.service failed' } } };

  test.each<[string, object, boolean | null]>([
    ['steps.check.exitCode = 0 and contains(steps.check.stdout, "active")', context, true],
    ['steps.check.exitCode = 0 and contains(steps.check.stdout, "active")', failing, false],
    ['steps.check.status = "succeeded"', context, true],
    ['steps.`check-disk`.exitCode != 0 or number(steps.`check-disk`.stdout) > 90', context, true],
    ['not(contains(lower case(steps.check.stderr), "failed"))', failing, false],
    ['target.zone in ("dc-a", "dc-b") and params.service != ""', context, true],
    ['matches(steps.check.stdout, "^inactive")', failing, true],
    ['count(hosts[exitCode != 0]) = 0', context, false],
    ['steps.skipped.exitCode = 0', context, false], // a step that did not run has no result: null = 0 is false
    ['steps.skipped.exitCode > 0', context, null], // and null > 0 cannot be decided
  ])('%s', (text, data, expected) => {
    const result = evaluateCondition(text, data);
    expect(result.ok && result.value).toBe(expected);
  });
});

describe('parse errors say what is wrong and where', () => {
  test.each<[string, string]>([
    ['', 'the expression is empty at column 1'],
    ['steps.check.exitCode = 0 and', "expected a value after 'and' at column 29: the expression ends there"],
    ['steps.check.exitCode = 0 and )', "expected a value after 'and' at column 30: found ')'"],
    ['1 +', "expected a value after '+' at column 4: the expression ends there"],
    ['a and or b', "expected a value after 'and' at column 7: found 'or'"],
    ['a == b', "'==' is not FEEL at column 3: use a single '=' to compare"],
    ['a && b', "'&&' is not FEEL at column 3: write 'and'"],
    ['a || b', "'||' is not FEEL at column 3: write 'or'"],
    ['!a', "'!' is not FEEL at column 1: write not(x), or '!=' for 'not equal'"],
    ["x = 'up'", 'strings are not written in single quotes at column 5: use double quotes: "text"'],
    ['"abc', 'unclosed string at column 1: end it with "'],
    ['"\\u12"', "'\\u' needs 4 hexadecimal digits of a code point at column 2: for example \\u00e9"],
    ['`x', 'unclosed name in backticks at column 1: end it with another `'],
    ['#', "unexpected character '#' at column 1"],
    ['a b', "unexpected 'b' at column 3: expected an operator such as 'and', 'or', '=', '+', or the end of the expression"],
    ['(1 + 2))', "unmatched ')' at column 8"],
    ['(1 + 2', "expected ')' at column 7: the expression ends there (the '(' at column 1 is not closed)"],
    ['[1, 2', "expected ',' or ']' at column 6: the expression ends there (the list at column 1 is not closed)"],
    ['{a: 1', "expected ',' or '}' at column 6: the expression ends there (the context at column 1 is not closed)"],
    ['{first name: 1}', "expected ':' after the key 'first' at column 8: a key with spaces is written in quotes: \"first name\""],
    ['{a: 1, a: 2}', "the key 'a' appears twice in this context at column 8"],
    ['hosts[1', "expected ']' at column 8: the expression ends there (the '[' at column 6 is not closed)"],
    ['a.1', "expected a name after '.' at column 3: found '1'"],
    ['a < b < c', "comparisons cannot be chained at column 7: write 'a < b and b < c'"],
    ['x between 1 or 2', "expected 'and' at column 13: found 'or' (the 'between' at column 3 is written x between a and b)"],
    ['if a then b', "expected 'else' at column 12: the expression ends there (the 'if' at column 1 needs both branches: if c then a else b)"],
    ['if a b', "expected 'then' at column 6: found 'b' (after the condition of the 'if' at column 1)"],
    ['x in (1..2', "expected ')', ']' or '[' at column 11: the expression ends there (the range at column 6 is not closed)"],
    ['(1..2)', "a range can only follow 'in' at column 3: write x in (1..10)"],
    ['not x', "'not' is a function in FEEL at column 1: write not(x)"],
    ['foo(1)', "unknown function 'foo' at column 1: the functions are not, is defined, contains, starts with, ends with, matches, string length, upper case, lower case, trim, substring, number, string, count, list contains"],
    ['string size(x)', expect.stringMatching(/^unknown function 'string size' at column 1/) as unknown as string],
    ['contains("a")', 'contains() takes 2 arguments (string, match) at column 1: got 1'],
    ['matches("a")', 'matches() takes 2 to 3 arguments (input, pattern, flags) at column 1: got 1'],
    ['count([1], 2)', 'count() takes 1 argument (list) at column 1: got 2'],
    ['contains(string: "a", foo: "b")', "contains() has no parameter 'foo' at column 23: its parameters are string, match"],
    ['contains(string: "a")', "contains() needs the argument 'match' at column 1"],
    ['contains(string: "a", string: "b")', "the argument 'string' is given twice at column 23"],
    ['contains("a", match: "b")', 'an argument by name cannot follow arguments by position at column 15: name every argument of contains(), or none'],
    ['contains(1, 2', "expected ',' or ')' at column 14: the expression ends there (the arguments of contains() at column 9 are not closed)"],
    ['for x in y return x', "'for' loops are not supported yet at column 1"],
    ['some x in y satisfies x', "'some … satisfies' is not supported yet at column 1"],
    ['x instance of number', "'instance of' is not supported yet at column 3"],
    ['x in ?', "'?' is not supported at column 6: it is the input value of unary tests, which this subset does not have"],
    ['@"2024-01-01"', 'date and time literals (@"…") are not supported yet at column 1: compare the ISO text as a string'],
  ])('%p', (text, message) => {
    expect(parseError(text).message).toEqual(message);
  });

  test('the position is an offset, a line and a column', () => {
    expect(parseError('steps.check.exitCode = 0 and )').position).toEqual({ offset: 29, line: 1, column: 30 });
    const multiline = parseError('steps.check.exitCode = 0\n  and');
    expect(multiline).toEqual({ message: "expected a value after 'and' at line 2, column 6: the expression ends there", position: { offset: 30, line: 2, column: 6 } });
  });
});

describe('limits', () => {
  test('expression length', () => {
    const longest = `"${'a'.repeat(LIMITS.expressionLength - 2)}"`;
    expect(parseExpression(longest).ok).toBe(true);
    expect(parseError(`${longest} `).message).toBe('the expression is longer than 2000 characters at column 2001: move the logic into a script step and test its result');
  });

  test('nesting depth, however it is built', () => {
    const message = /^the expression nests more than 64 levels deep at column \d+/;
    expect(parseError(`${'('.repeat(70)}1${')'.repeat(70)}`).message).toMatch(message);
    expect(parseError(`${'['.repeat(70)}${']'.repeat(70)}`).message).toMatch(message);
    expect(parseError(`1${' + 1'.repeat(70)}`).message).toMatch(message);
    expect(parseError(`x${'.a'.repeat(70)}`).message).toMatch(message);
    // `and`/`or` chains are flat, so a long one is fine
    expect(value(`x = 1${' or x = 2'.repeat(100)}`, { x: 2 })).toBe(true);
  });

  test('evaluation steps', () => {
    const data = { xs: Array.from({ length: 1000 }, (_, i) => i), ys: Array.from({ length: 10_000 }, (_, i) => ({ a: i })) };
    expect(evaluationError('count(xs[count(ys.a) > 0])', data)).toBe(
      'the expression needs more than 1,000,000 steps at column 16: it does too much work for an expression; filter less data, or move the work into a script step',
    );
    expect(value('count(xs[item > 500])', data)).toBe(499);
  });

  test('strings the expression builds', () => {
    const letters = 'abcdefghijklmnopqrs';
    const doubling = `{a: "0123456789", ${[...letters.slice(1)].map((key, i) => `${key}: ${letters[i]!} + ${letters[i]!}`).join(', ')}}.s`;
    expect(evaluationError(doubling)).toMatch(/^'\+' would build a string of more than 1,000,000 characters at column \d+$/);
  });

  test('data nested too deep (or in a loop) for = and string()', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(evaluationError('string(loop)', { loop })).toBe('a value is nested more than 100 levels deep at column 1');
    expect(evaluationError('loop = loop', { loop })).toBe('a value is nested more than 100 levels deep at column 6');
    expect(value('loop.self.self = null', { loop })).toBe(false);
  });
});

describe('evaluateCondition', () => {
  test('true and false are answers; anything else is reported as null with the reason', () => {
    expect(evaluateCondition('steps.check.exitCode = 0', context)).toEqual({ ok: true, value: true });
    expect(evaluateCondition('steps.check.exitCode = 1', context)).toEqual({ ok: true, value: false });
    expect(evaluateCondition('steps.nope.exitCode = 0 and true', context)).toEqual({ ok: true, value: false });
    expect(evaluateCondition('steps.nope.exitCode > 0', context)).toEqual({
      ok: true,
      value: null,
      reason: 'the expression gave null (a missing name or path, or values that cannot be compared), not true or false',
    });
    expect(evaluateCondition('steps.check.exitCode', context)).toEqual({ ok: true, value: null, reason: 'the expression gave a number (0), not true or false' });
    expect(evaluateCondition('steps.check.stdout', context)).toEqual({ ok: true, value: null, reason: 'the expression gave a string ("nginx.service is active (running)"), not true or false' });
  });

  test('parse errors and limits come back as errors, not exceptions', () => {
    expect(evaluateCondition('steps.check.exitCode = 0 and', context)).toEqual({
      ok: false,
      error: { message: "expected a value after 'and' at column 29: the expression ends there", position: { offset: 28, line: 1, column: 29 } },
    });
    const result = evaluateCondition('matches("a", params.badPattern)', context);
    expect(result.ok).toBe(false);
  });

  test('a tree parsed once (at publish time) evaluates the same after travelling as JSON', () => {
    const parsed = parseExpression('steps.check.exitCode = 0 and contains(steps.check.stdout, "active") and 5 in [1..10] and hosts[exitCode = 0].name = ["a", "c"]');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const travelled = JSON.parse(JSON.stringify(parsed.ast)) as typeof parsed.ast;
    expect(travelled).toEqual(parsed.ast);
    expect(evaluateCondition(travelled, context)).toEqual({ ok: true, value: true });
  });

  test('the context is only read, and may come from another realm (structuredClone here is not the test vm\'s)', () => {
    const freeze = (v: unknown): unknown => (v && typeof v === 'object' ? Object.freeze(Object.values(v).forEach(freeze) ?? v) : v);
    const frozen = freeze(structuredClone(context)) as object;
    expect(evaluateCondition('count(hosts[exitCode = 0]) = 2 and {a: params}.a.service = "nginx"', frozen)).toEqual({ ok: true, value: true });
  });
});

test('the evaluator is pure: no eval, no Function, no clock, no randomness', () => {
  const dir = join(__dirname, '../../../domain/automation');
  const sources = [join(dir, 'expression.ts'), ...readdirSync(join(dir, 'expression')).map((file) => join(dir, 'expression', file))];
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    expect({ file, found: code.match(/\beval\s*\(|\bFunction\s*\(|\bDate\b|Math\.random|\bimport\(|require\(/g) }).toEqual({ file, found: null });
  }
});
