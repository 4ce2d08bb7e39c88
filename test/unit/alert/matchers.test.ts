import {
  compilePattern,
  formatMatcher,
  formatMatchers,
  fromAlertmanagerMatcher,
  type Matcher,
  MATCHER_LIMITS,
  matcherProblems,
  matches,
  matchesAll,
  matchesEmpty,
  MatcherSyntaxError,
  parseMatcher,
  parseMatchers,
  RegexSyntaxError,
} from '../../../domain/alert/matchers';

/**
 * What Alertmanager v0.35.0 itself makes of each input, recorded by
 * test/fixtures/alerts/processing/alertmanager-oracle (a Go program using Alertmanager's
 * matcher/parse, compat and pkg/labels packages and Go's regexp).
 */
interface OracleParse {
  matchers?: Matcher[];
  error?: string;
}
const oracle: {
  alertmanager: string;
  matchers: Array<{ input: string; utf8: OracleParse; fallback: OracleParse }>;
  patterns: Array<{ pattern: string; error?: string; standaloneOk: boolean; matchesEmpty: boolean; values?: Array<{ value: string; matches: boolean }> }>;
} = require('../../fixtures/alerts/processing/alertmanager-matchers.json');

/** Where FlowDesk refuses what Alertmanager accepts, on purpose (docs/alerts-processing.md#differences). */
const STRICTER_MATCHERS = new Set(['""="x"', 'foo=~"a)|(b"']);
const STRICTER_PATTERNS = new Set(['a)|(b', 'a'.repeat(1001)]);

function parseError(text: string): MatcherSyntaxError {
  try {
    parseMatchers(text);
  } catch (error) {
    if (error instanceof MatcherSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

function patternError(pattern: string): RegexSyntaxError {
  try {
    compilePattern(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} to be refused`);
}

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });

describe('Alertmanager compatibility (recorded from the real Alertmanager)', () => {
  test('the fixture is the real thing', () => {
    expect(oracle.alertmanager).toMatch(/^v0\.\d+\.\d+$/);
    expect(oracle.matchers.length).toBeGreaterThan(70);
    expect(oracle.patterns.length).toBeGreaterThan(120);
  });

  describe.each(oracle.matchers.filter((c) => !STRICTER_MATCHERS.has(c.input)))('matcher text %#', (c) => {
    test(`${JSON.stringify(c.input)} parses as the UTF-8 parser does`, () => {
      if (c.utf8.error) {
        const error = parseError(c.input);
        expect(error.start).toBeGreaterThanOrEqual(0);
        expect(error.end).toBeGreaterThan(error.start);
        expect(error.end).toBeLessThanOrEqual(c.input.length + 1);
        expect(error.message).toMatch(/character \d+/);
      } else {
        expect(parseMatchers(c.input)).toEqual(c.utf8.matchers ?? []);
      }
    });
  });

  describe.each(oracle.patterns.filter((c) => !STRICTER_PATTERNS.has(c.pattern)))('pattern %#', (c) => {
    test(`${JSON.stringify(c.pattern.slice(0, 40))} compiles and matches as Go's regexp, anchored`, () => {
      if (c.error) {
        expect(() => compilePattern(c.pattern)).toThrow(RegexSyntaxError);
        return;
      }
      const pattern = compilePattern(c.pattern);
      for (const { value, matches: expected } of c.values ?? []) expect([value, pattern.test(value)]).toEqual([value, expected]);
      expect(matchesEmpty(m('x', '=~', c.pattern))).toBe(c.matchesEmpty);
    });
  });

  test('the deliberate differences are still differences (so this list stays true)', () => {
    for (const input of STRICTER_MATCHERS) {
      expect(oracle.matchers.find((c) => c.input === input)!.utf8.error).toBeUndefined();
      expect(() => parseMatchers(input)).toThrow(MatcherSyntaxError);
    }
    for (const pattern of STRICTER_PATTERNS) {
      expect(oracle.patterns.find((c) => c.pattern === pattern)!.error).toBeUndefined();
      expect(() => compilePattern(pattern)).toThrow(RegexSyntaxError);
    }
    // a)|(b is not a regular expression on its own: Alertmanager refuses it in a silence too.
    expect(oracle.patterns.find((c) => c.pattern === 'a)|(b')!.standaloneOk).toBe(false);
  });

  test('escapes: FlowDesk reads quoted text as the UTF-8 parser does, where the fallback parser differs', () => {
    const disagree = oracle.matchers.filter((c) => !c.utf8.error && !c.fallback.error && JSON.stringify(c.utf8) !== JSON.stringify(c.fallback));
    expect(disagree.map((c) => c.input)).toEqual(expect.arrayContaining(['foo="\\u00e9"', 'foo="\\xf0\\x9f\\x99\\x82"']));
    for (const c of disagree) expect(parseMatchers(c.input)).toEqual(c.utf8.matchers);
  });
});

describe('parsing', () => {
  test('the brace form and the list form', () => {
    expect(parseMatchers('{alertname="HighCPU", severity=~"critical|major", env!="dev", team!~"db.*"}')).toEqual([
      m('alertname', '=', 'HighCPU'),
      m('severity', '=~', 'critical|major'),
      m('env', '!=', 'dev'),
      m('team', '!~', 'db.*'),
    ]);
    expect(parseMatchers('alertname=HighCPU, severity=~critical|major')).toEqual([m('alertname', '=', 'HighCPU'), m('severity', '=~', 'critical|major')]);
    expect(parseMatchers('  {  job = "node" ,  }  ')).toEqual([m('job', '=', 'node')]);
    expect(parseMatchers('{}')).toEqual([]);
    expect(parseMatchers('')).toEqual([]);
  });

  test('unquoted names and values take any character but whitespace and { } ! = ~ , \\ " \' `', () => {
    expect(parseMatchers('instance=~10.0.0.[0-9]+:9100')).toEqual([m('instance', '=~', '10.0.0.[0-9]+:9100')]);
    expect(parseMatchers('service.name=payments-api')).toEqual([m('service.name', '=', 'payments-api')]);
    expect(parseMatchers('Προμηθεύς=🙂')).toEqual([m('Προμηθεύς', '=', '🙂')]);
    expect(parseMatchers('"host name"="web 1"')).toEqual([m('host name', '=', 'web 1')]);
  });

  test('quoted values: Go string escapes, commas and braces are text', () => {
    expect(parseMatchers('msg="She said: \\"hi\\", {ok}"')).toEqual([m('msg', '=', 'She said: "hi", {ok}')]);
    expect(parseMatchers('path="C:\\\\temp"')).toEqual([m('path', '=', 'C:\\temp')]);
    expect(parseMatchers('x="a\\tb\\nc"')).toEqual([m('x', '=', 'a\tb\nc')]);
    expect(parseMatchers('x="\\u00e9\\U0001F642\\x41\\101"')).toEqual([m('x', '=', 'é🙂AA')]);
    expect(parseMatchers('x="\\xc3\\xa9"')).toEqual([m('x', '=', 'é')]);
    expect(parseMatchers('re=~"\\\\d+\\\\.\\\\d+"')).toEqual([m('re', '=~', '\\d+\\.\\d+')]);
  });

  test.each([
    ['foo=~"\\d+"', 6, 8, /"\\\\d\+"/],
    ['foo="\\q"', 5, 7, /not an escape/],
    ['foo="\\x80"', 5, 9, /not valid UTF-8/],
    ['foo="\\xc3"', 5, 9, /not valid UTF-8/],
    ['foo="\\ud800"', 5, 7, /Unicode character/],
    ['foo="\\400"', 5, 7, /octal/],
    ['foo="a\nb"', 6, 7, /line break/],
  ])('escape errors say where and what: %j', (text, start, end, message) => {
    const error = parseError(text);
    expect([error.start, error.end]).toEqual([start, end]);
    expect(error.message).toMatch(message);
  });

  test.each([
    ['foo=', 4, 5, /expected a value after = \(write foo="" for the empty value\); the input ended at character 5/],
    ['foo', 3, 4, /expected an operator after "foo"/],
    ['=bar', 0, 1, /expected a label name; found "=" at character 1/],
    ['foo=bar baz', 8, 11, /expected ',' or '}' after the matcher \(quote a value that contains whitespace/],
    ['{foo=bar', 8, 9, /expected '}' to close the '\{' at character 1, found the end/],
    ['foo=bar}', 7, 8, /'}' at character 8 closes nothing/],
    ['{foo=bar}}', 9, 10, /expected the end of the matchers; found "}" at character 10/],
    ['foo!bar', 3, 4, /'!' at character 4 must be followed by '=' or '~'/],
    ['foo~bar', 3, 4, /unexpected ~ at character 4/],
    ["foo='bar'", 4, 5, /quote names and values with double quotes/],
    ['foo=\\bar', 4, 5, /a backslash is allowed only inside double quotes/],
    ['foo="bar', 4, 8, /the quoted text at character 5 has no closing '"'/],
    ['foo=bar,,', 8, 9, /expected a matcher or '}' after the comma/],
    ['a=b c=d', 4, 5, /found "c=d"|found "c"/],
    ['""="x"', 0, 2, /label name at character 1 is empty/],
  ])('grammar errors say where and what: %j', (text, start, end, message) => {
    const error = parseError(text);
    expect(error.message).toMatch(message);
    expect([error.start, error.end]).toEqual([start, end]);
  });

  test('a regex error points into the value, through escapes', () => {
    const error = parseError('job="x", path=~"a\\\\b(c"');
    expect(error.message).toMatch(/invalid regular expression in the value at character 16: missing closing \): this group is not closed/);
    // the ( of the pattern, in the text: two characters there wrote one backslash of the pattern
    expect(error.start).toBe('job="x", path=~"a\\\\b'.length);
    const nested = parseError('x=~"a**"');
    expect(nested.message).toMatch(/invalid nested repetition operator/);
    expect('x=~"a**"'.slice(nested.start, nested.end)).toBe('*');
  });

  test('one matcher at a time (a line of a matchers: list)', () => {
    expect(parseMatcher('severity =~ "critical|major"')).toEqual(m('severity', '=~', 'critical|major'));
    expect(() => parseMatcher('{a=b}')).toThrow(/without braces/);
    expect(() => parseMatcher('a=b, c=d')).toThrow(/expected one matcher, found 2/);
    expect(() => parseMatcher('  ')).toThrow(/no matcher/);
  });
});

describe('matching', () => {
  test('the four operators', () => {
    const labels = { alertname: 'HighCPU', severity: 'major', env: 'prod', team: 'web' };
    expect(matchesAll(parseMatchers('{alertname="HighCPU", severity=~"critical|major", env!="dev", team!~"db.*"}'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('{alertname="HighCPU", severity=~"critical|major", env!="dev", team!~"db.*"}'), { ...labels, team: 'db-core' })).toBe(false);
    expect(matches(m('severity', '=~', 'critical|major'), { severity: 'minor' })).toBe(false);
    expect(matches(m('severity', '!~', 'critical|major'), { severity: 'minor' })).toBe(true);
  });

  test('an absent label is the empty string', () => {
    expect(matches(m('env', '=', ''), {})).toBe(true);
    expect(matches(m('env', '=', ''), { env: 'prod' })).toBe(false);
    expect(matches(m('env', '!=', ''), {})).toBe(false);
    expect(matches(m('env', '!=', ''), { env: 'prod' })).toBe(true);
    expect(matches(m('env', '!=', 'prod'), {})).toBe(true);
    expect(matches(m('env', '=~', '.*'), {})).toBe(true);
    expect(matches(m('env', '=~', '.+'), {})).toBe(false);
    expect(matches(m('env', '!~', 'prod'), {})).toBe(true);
    expect(matches(m('env', '=~', 'prod|'), {})).toBe(true);
  });

  test('labels named like Object properties are labels like any other', () => {
    expect(matches(m('constructor', '=', ''), {})).toBe(true);
    expect(matches(m('toString', '!=', ''), {})).toBe(false);
    expect(matches(m('__proto__', '=', 'x'), JSON.parse('{"__proto__":"x"}'))).toBe(true);
  });

  test('regexes match the whole value, as Alertmanager anchors them: ^(?:pattern)$', () => {
    expect(compilePattern('db.*').test('xdb1')).toBe(false);
    expect(compilePattern('web').test('web-1')).toBe(false);
    expect(compilePattern('a|b').test('ab')).toBe(false);
    expect(compilePattern('a|b.*').test('bcd')).toBe(true);
    expect(compilePattern('.*web.*').test('api-web-1')).toBe(true);
    // a user's own anchors are allowed and change nothing
    expect(compilePattern('^web-\\d+$').test('web-12')).toBe(true);
    // $ is the end of the value: a trailing line break is a character like another
    expect(compilePattern('foo').test('foo\n')).toBe(false);
    expect(compilePattern('foo\\n').test('foo\n')).toBe(true);
    expect(compilePattern('(?i)(critical|major)').test('MAJOR')).toBe(true);
  });

  test('no backtracking: patterns that hang JavaScript RegExp answer at once, on long values', () => {
    const nested = compilePattern('(x+x+)+y');
    expect(nested.test('x'.repeat(20_000))).toBe(false);
    expect(nested.test(`${'x'.repeat(20_000)}y`)).toBe(true);
    expect(compilePattern('(a|a)*b').test('a'.repeat(20_000))).toBe(false);
    expect(compilePattern('.*.*.*.*.*=.*').test('a'.repeat(5_000))).toBe(false);
  });

  test('matchesEmpty is Alertmanager\'s rule: = "" and =~ patterns that take "", never != or !~', () => {
    expect(matchesEmpty(m('a', '=', ''))).toBe(true);
    expect(matchesEmpty(m('a', '=', 'x'))).toBe(false);
    expect(matchesEmpty(m('a', '=~', '.*'))).toBe(true);
    expect(matchesEmpty(m('a', '=~', 'x|'))).toBe(true);
    expect(matchesEmpty(m('a', '=~', '.+'))).toBe(false);
    expect(matchesEmpty(m('a', '!=', 'x'))).toBe(false);
    expect(matchesEmpty(m('a', '!~', 'x'))).toBe(false);
  });
});

describe('regex syntax (RE2)', () => {
  test('RE2 features work', () => {
    const cases: Array<[string, string, boolean]> = [
      ['[[:alpha:]]+-\\d{2,3}', 'web-01', true],
      ['\\p{Greek}+', 'αβγ', true],
      ['(?P<host>web)-(?<n>\\d+)', 'web-1', true],
      ['\\Q1.2.3\\E', '1.2.3', true],
      ['\\Q1.2.3\\E', '1x2x3', false],
      ['(?s)a.b', 'a\nb', true],
      ['a.b', 'a\nb', false],
      ['(?i)k', '\u212a', true],
      ['\\x{1F642}', '🙂', true],
      ['.', '🙂', true],
      ['[^a]', '\n', true],
      ['\\bfoo\\b.*', 'foo-bar', true],
      ['a{,3}', 'a{,3}', true],
    ];
    for (const [pattern, value, expected] of cases) expect([pattern, value, compilePattern(pattern).test(value)]).toEqual([pattern, value, expected]);
  });

  test.each([
    ['(?=a)', 0, 3, /invalid or unsupported Perl syntax: \(\?= \(RE2 has no lookahead/],
    ['(a)\\1', 3, 5, /invalid escape sequence: \\1 \(backreferences are not supported\)/],
    ['a**', 2, 3, /invalid nested repetition operator/],
    ['*a', 0, 1, /missing argument to repetition operator: \* has nothing before it/],
    ['x{1001}', 1, 7, /invalid repeat count/],
    ['(a{500}){3}', 8, 11, /nested counts multiply to more than 1000/],
    ['[z-a]', 1, 4, /invalid character class range: z-a ends before it starts/],
    ['[[:foo:]]', 1, 8, /no POSIX class \[:foo:\]/],
    ['\\p{Emoji}', 0, 9, /no Unicode class 'Emoji'/],
    ['(a', 0, 1, /missing closing \)/],
    ['a)', 1, 2, /unexpected \)/],
    ['[a', 0, 1, /missing closing \]/],
    ['a\\', 1, 2, /trailing backslash/],
    ['\\Qa.b', 0, 5, /missing \\E/],
    ['\\u0041', 0, 2, /invalid escape sequence: \\u/],
    ['\\C', 0, 2, /\\C \(any byte\) is not supported/],
  ])('%j is refused, with where (%d–%d) and why', (pattern, start, end, message) => {
    const error = patternError(pattern);
    expect(error.message).toMatch(message);
    expect([error.start, error.end]).toEqual([start, end]);
    expect(error.message).toMatch(new RegExp(`character ${start + 1} of the pattern`));
  });

  test('the safety limits, beyond RE2\'s own', () => {
    const long = patternError('a|'.repeat(600));
    expect(long.message).toMatch(/the pattern has 1200 characters; the limit is 1000/);
    expect(long.start).toBe(MATCHER_LIMITS.patternLength);
    expect(() => compilePattern('[a-z]{1000}'.repeat(11))).toThrow(/expression too large: more than 10000 steps/);
    expect(() => compilePattern(`${'('.repeat(101)}a${')'.repeat(101)}`)).toThrow(/nests too deeply/);
    expect(compilePattern(`${'('.repeat(100)}a${')'.repeat(100)}`).test('a')).toBe(true);
    expect(compilePattern('a'.repeat(1000)).test('a'.repeat(1000))).toBe(true);
  });
});

describe('formatting', () => {
  test('Alertmanager\'s own rendering', () => {
    expect(formatMatchers(parseMatchers('alertname = HighCPU, severity =~ critical|major'))).toBe('{alertname="HighCPU",severity=~"critical|major"}');
    expect(formatMatcher(m('host name', '!=', 'say "hi"\n\\'))).toBe('"host name"!="say \\"hi\\"\\n\\\\"');
    expect(formatMatcher(m('re', '=~', '\\d+'))).toBe('re=~"\\\\d+"');
    expect(formatMatchers([])).toBe('{}');
  });

  test('round trip: parse(format(matchers)) gives the matchers back', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
    const alphabet = ['a', 'Z', '0', '_', '.', ' ', '"', '\\', '\n', '\t', ',', '{', '}', '=', '!', '~', "'", '`', 'é', '🙂', '|', '*'];
    const text = (min: number) => Array.from({ length: min + rnd(6) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 500; i++) {
      const list: Matcher[] = Array.from({ length: 1 + rnd(3) }, () => ({ name: text(1), op: (['=', '!='] as const)[rnd(2)]!, value: text(0) }));
      expect(parseMatchers(formatMatchers(list))).toEqual(list);
    }
    const regexes = parseMatchers('{a=~"(?i)x|y", "b c"!~"\\\\d+\\\\.\\"q\\""}');
    expect(parseMatchers(formatMatchers(regexes))).toEqual(regexes);
  });
});

describe('matchers as data', () => {
  test('problems have paths', () => {
    expect(matcherProblems(m('env', '=~', 'prod|dr'), 'matchers[0]')).toEqual([]);
    expect(matcherProblems({ name: '', op: '==', value: 3, extra: true }, 'matchers[1]')).toEqual([
      { path: 'matchers[1].extra', message: 'unknown field; a matcher has name, op and value' },
      { path: 'matchers[1].name', message: 'must be a label name (not empty)' },
      { path: 'matchers[1].op', message: 'must be one of = != =~ !~' },
      { path: 'matchers[1].value', message: 'must be a string (empty matches a missing label)' },
    ]);
    expect(matcherProblems(m('env', '=~', '(prod'), 'm')).toEqual([{ path: 'm.value', message: expect.stringMatching(/^invalid regular expression: missing closing \)/) }]);
    expect(matcherProblems(m('env', '=', 'a\ud800'), 'm')).toEqual([{ path: 'm.value', message: 'contains a lone surrogate, not valid Unicode' }]);
    expect(matcherProblems('env=prod', 'm')).toEqual([{ path: 'm', message: 'must be a matcher: { name, op, value }' }]);
  });

  test("Alertmanager's API v2 shape", () => {
    expect(fromAlertmanagerMatcher({ name: 'a', value: 'b', isRegex: false })).toEqual(m('a', '=', 'b'));
    expect(fromAlertmanagerMatcher({ name: 'a', value: 'b', isRegex: false, isEqual: false })).toEqual(m('a', '!=', 'b'));
    expect(fromAlertmanagerMatcher({ name: 'a', value: 'b.*', isRegex: true })).toEqual(m('a', '=~', 'b.*'));
    expect(fromAlertmanagerMatcher({ name: 'a', value: 'b.*', isRegex: true, isEqual: false })).toEqual(m('a', '!~', 'b.*'));
  });
});
