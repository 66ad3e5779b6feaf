import { KafkaError } from './errors';
import { Logger } from './Logger';
import {
  AbstractConfig,
  CaseInsensitiveValidString,
  ConfigDef,
  LONG_MAX,
  NO_DEFAULT_VALUE,
  Range,
  ValidList,
  ValidString,
  configTableMarkdown,
  readGeneratedSection,
  replaceGeneratedSection,
} from './config';

const def = new ConfigDef()
  .define({
    name: 'a.int',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'An int.',
  })
  .define({ name: 'a.long', type: 'LONG', default: LONG_MAX, importance: 'MEDIUM', doc: 'A long.' })
  .define({
    name: 'a.ratio',
    type: 'DOUBLE',
    default: 0.5,
    validator: Range.between(0, 1),
    importance: 'LOW',
    doc: 'A ratio.',
  })
  .define({ name: 'a.bool', type: 'BOOLEAN', default: false, importance: 'LOW', doc: 'A | flag.' })
  .define({
    name: 'a.list',
    type: 'LIST',
    default: 'delete',
    validator: ValidList.in('compact', 'delete'),
    importance: 'MEDIUM',
    doc: 'A list.',
  })
  .define({
    name: 'a.enum',
    type: 'STRING',
    default: 'CreateTime',
    validator: ValidString.in('CreateTime', 'LogAppendTime'),
    importance: 'MEDIUM',
    doc: 'An enum.',
  })
  .define({
    name: 'a.ci',
    type: 'STRING',
    default: 'none',
    validator: CaseInsensitiveValidString.in('none', 'gzip'),
    importance: 'MEDIUM',
    doc: 'Case insensitive.',
  })
  .define({ name: 'a.unset', type: 'STRING', default: null, importance: 'LOW', doc: 'Unset.' })
  .define({
    name: 'a.required',
    type: 'STRING',
    default: NO_DEFAULT_VALUE,
    importance: 'HIGH',
    doc: 'Required.',
  });

function errorOf(f: () => unknown): KafkaError {
  try {
    f();
  } catch (e) {
    return e as KafkaError;
  }
  throw new Error('no error');
}

describe('common > ConfigDef', () => {
  afterEach(() => jest.restoreAllMocks());

  it('parses strings and JS values into typed values over the defaults', () => {
    const v = def.parse({
      'a.required': 'x',
      'a.int': ' 7 ',
      'a.bool': 'TRUE',
      'a.list': 'compact, delete',
    });
    expect(v).toEqual({
      'a.int': 7,
      'a.long': LONG_MAX,
      'a.ratio': 0.5,
      'a.bool': true,
      'a.list': ['compact', 'delete'],
      'a.enum': 'CreateTime',
      'a.ci': 'none',
      'a.unset': null,
      'a.required': 'x',
    });
    expect(
      def.parse({ 'a.required': 'x', 'a.int': 3, 'a.bool': true, 'a.list': ['compact'] }),
    ).toMatchObject({
      'a.int': 3,
      'a.bool': true,
      'a.list': ['compact'],
    });
    // Java's Long.MAX_VALUE is accepted and clamped to the safe range.
    expect(def.parse({ 'a.required': 'x', 'a.long': '9223372036854775807' })['a.long']).toBe(
      LONG_MAX,
    );
  });

  it.each([
    [{ 'a.int': 'abc' }, 'Invalid value abc for configuration a.int: Not a number of type INT'],
    [
      { 'a.int': '2147483648' },
      'Invalid value 2147483648 for configuration a.int: Not a number of type INT',
    ],
    [{ 'a.int': 1.5 }, 'Invalid value 1.5 for configuration a.int: Not a number of type INT'],
    [{ 'a.long': '9223372036854775808' }, 'Not a number of type LONG'],
    [
      { 'a.ratio': 'half' },
      'Invalid value half for configuration a.ratio: Not a number of type DOUBLE',
    ],
    [{ 'a.int': '0' }, 'Invalid value 0 for configuration a.int: Value must be at least 1'],
    [{ 'a.ratio': 2 }, 'Invalid value 2 for configuration a.ratio: Value must be no more than 1'],
    [
      { 'a.bool': 'yes' },
      'Invalid value yes for configuration a.bool: Expected value to be either true or false',
    ],
    [
      { 'a.list': 'shred' },
      'Invalid value shred for configuration a.list: String must be one of: compact, delete',
    ],
    [{ 'a.enum': 'createtime' }, 'String must be one of: CreateTime, LogAppendTime'],
    [
      { 'a.ci': 'brotli' },
      'Invalid value brotli for configuration a.ci: String must be one of (case insensitive): none, gzip',
    ],
  ])('%j is INVALID_CONFIG: %s', (props, message) => {
    const e = errorOf(() => def.parse({ 'a.required': 'x', ...props }));
    expect(e).toBeInstanceOf(KafkaError);
    expect(e.errorName).toBe('INVALID_CONFIG');
    expect(e.message).toContain(message);
  });

  it("a missing required key fails with Kafka's text", () => {
    expect(() => def.parse({})).toThrow(
      'Missing required configuration "a.required" which has no default value.',
    );
  });

  it('warns once per unknown key, naming it, and keeps it in originals', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    const c = new AbstractConfig(def, { 'a.required': 'x', 'a.typo': 1, 'b.other': 'y' });
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      "The configuration 'a.typo' was supplied but isn't a known config.",
      "The configuration 'b.other' was supplied but isn't a known config.",
    ]);
    expect(c.getOriginal('a.typo')).toBe('1');
    expect(c.getInt('a.int')).toBe(1);
    expect(c.getString('a.unset')).toBeNull();
    expect(() => c.get('a.typo')).toThrow("Unknown configuration 'a.typo'");
    warn.mockClear();
    def.parse({ 'a.required': 'x', 'b.other': 'y' }, { warnUnknown: false });
    expect(warn).not.toHaveBeenCalled();
  });

  it('checks defaults and names at definition time', () => {
    const one = () =>
      new ConfigDef().define({ name: 'x', type: 'INT', default: 0, importance: 'LOW', doc: '' });
    expect(() =>
      one().define({ name: 'x', type: 'INT', default: 0, importance: 'LOW', doc: '' }),
    ).toThrow('Configuration x is defined twice.');
    expect(() =>
      new ConfigDef().define({
        name: 'y',
        type: 'INT',
        default: 0,
        validator: Range.atLeast(1),
        importance: 'LOW',
        doc: '',
      }),
    ).toThrow('Value must be at least 1');
  });

  it('renders a Markdown table and splices it between markers', () => {
    const t = configTableMarkdown(def, { only: ['a.int', 'a.bool', 'a.unset', 'a.required'] });
    const lines = t.split('\n');
    expect(lines[0]).toMatch(
      /^\| key +\| type +\| default +\| valid values \| importance \| description +\|$/,
    );
    expect(lines[2]).toContain('| `a.int`');
    expect(lines[2]).toContain('`1`');
    expect(lines[2]).toContain('[1,...]');
    expect(lines[3]).toContain('A \\| flag.');
    expect(lines[4]).toContain('`null`');
    expect(lines[5]).toContain('(required)');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    const doc = replaceGeneratedSection(
      'x\n<!-- config-table:t begin: generated from the ConfigDef, do not edit (npm run docs:config) -->\nold\n<!-- config-table:t end -->\ny',
      't',
      t,
    );
    expect(readGeneratedSection(doc, 't')).toBe(t);
    expect(readGeneratedSection('nothing', 't')).toBeNull();
  });
});
