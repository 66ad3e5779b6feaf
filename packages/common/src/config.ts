/**
 * ConfigDef: one way to define and parse a configuration, as Kafka's `ConfigDef` and
 * `AbstractConfig` do. Each key has a name, a type, a default, an optional validator, an
 * importance and a doc string; broker, topic, group and client configs are all defined
 * with it, and the READMEs' config tables are rendered from the same definitions.
 *
 * Parsing follows Kafka's policy:
 * - a bad value throws KafkaError INVALID_CONFIG with Kafka's message shape,
 *   `Invalid value abc for configuration broker.id: Not a number of type INT`, or
 *   `Invalid value 0 for configuration queued.max.requests: Value must be at least 1`;
 * - a missing required key: `Missing required configuration "x" which has no default value.`;
 * - an unknown key is kept in `originals` and logged once per parse as a warning,
 *   `The configuration 'x' was supplied but isn't a known config.`; never an error.
 */
import { KafkaError } from './errors';
import { createLogger, type Logger } from './Logger';

/** Kafka's ConfigDef.Type, as far as kzoo needs it. INT is 32-bit; LONG is clamped to 2^53-1. */
export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'LIST';

/** Kafka's ConfigDef.Importance. */
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';

/** A parsed value: numbers for INT/LONG/DOUBLE, string[] for LIST, null when unset. */
export type ConfigValue = boolean | string | number | string[] | null;

/** Kafka's NO_DEFAULT_VALUE: the key is required. */
export const NO_DEFAULT_VALUE: unique symbol = Symbol('NO_DEFAULT_VALUE');

export interface Validator {
  /** Throws INVALID_CONFIG (through `configError`) when `value` is not acceptable. */
  ensureValid(name: string, value: ConfigValue): void;
  /** The accepted values as Kafka documents them (`[1,...]`, `[compact, delete]`). */
  toString(): string;
}

export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** A value of `type` (or its string form), `null` for "unset", or NO_DEFAULT_VALUE (required). */
  default: ConfigValue | typeof NO_DEFAULT_VALUE;
  validator?: Validator;
  importance: Importance;
  doc: string;
}

/** Long.MAX_VALUE in Kafka; kzoo's longs are JS numbers, so the largest safe integer. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const JAVA_LONG_MAX = 2n ** 63n - 1n;

/** Kafka's ConfigException text as a KafkaError INVALID_CONFIG. */
export function configError(name: string, value: unknown, message?: string): KafkaError {
  return new KafkaError(
    'INVALID_CONFIG',
    `Invalid value ${formatValue(value)} for configuration ${name}${message ? `: ${message}` : ''}`,
  );
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function parseInteger(name: string, value: unknown, type: 'INT' | 'LONG'): number {
  const notNumber = () => configError(name, value, `Not a number of type ${type}`);
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw notNumber();
    n = BigInt(value);
  } else if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) {
    n = BigInt(value.trim());
  } else {
    throw notNumber();
  }
  if (type === 'INT') {
    if (n < BigInt(INT_MIN) || n > BigInt(INT_MAX)) throw notNumber();
    return Number(n);
  }
  if (n < -JAVA_LONG_MAX - 1n || n > JAVA_LONG_MAX) throw notNumber();
  // Java longs beyond 2^53 (Long.MAX_VALUE: "never") are clamped to the safe range.
  if (n > BigInt(LONG_MAX)) return LONG_MAX;
  if (n < BigInt(-LONG_MAX)) return -LONG_MAX;
  return Number(n);
}

/**
 * Kafka's `ConfigDef.parseType`: a supplied value (string form, or the JS value itself)
 * as a value of `type`. Strings are trimmed; lists split on commas.
 */
export function parseType(name: string, value: unknown, type: ConfigType): ConfigValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (t === 'true' || t === 'false') return t === 'true';
      }
      throw configError(name, value, 'Expected value to be either true or false');
    case 'STRING':
      if (typeof value === 'string') return value.trim();
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw configError(name, value, `Expected value to be a string, but it was a ${typeof value}`);
    case 'INT':
    case 'LONG':
      return parseInteger(name, value, type);
    case 'DOUBLE': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value.trim())
            : NaN;
      if (!Number.isFinite(n)) throw configError(name, value, 'Not a number of type DOUBLE');
      return n;
    }
    case 'LIST': {
      const items = Array.isArray(value)
        ? value.map((x) => String(x))
        : typeof value === 'string'
          ? value.split(',')
          : undefined;
      if (!items) throw configError(name, value, 'Expected a comma separated list.');
      return items.map((s) => s.trim()).filter((s) => s.length > 0);
    }
  }
}

/** A value in the string form `key=value` files use (lists comma separated). */
export function convertToString(value: ConfigValue): string | null {
  if (value === null) return null;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Kafka's `ConfigDef.Range`: `atLeast(min)` or `between(min, max)`, bounds inclusive. */
export const Range = {
  atLeast(min: number): Validator {
    return range(min, undefined);
  },
  between(min: number, max: number): Validator {
    return range(min, max);
  },
};

function range(min: number | undefined, max: number | undefined): Validator {
  return {
    ensureValid(name, value) {
      if (value === null) throw configError(name, null, 'Value must be non-null');
      const n = value as number;
      if (min !== undefined && n < min) throw configError(name, n, `Value must be at least ${min}`);
      if (max !== undefined && n > max)
        throw configError(name, n, `Value must be no more than ${max}`);
    },
    toString: () =>
      max === undefined
        ? `[${min},...]`
        : min === undefined
          ? `[...,${max}]`
          : `[${min},...,${max}]`,
  };
}

/** Kafka's `ConfigDef.ValidString.in(...)`: one of the listed strings, case sensitive. */
export const ValidString = {
  in(...valid: string[]): Validator {
    return {
      ensureValid(name, value) {
        if (!valid.includes(value as string))
          throw configError(name, value, `String must be one of: ${valid.join(', ')}`);
      },
      toString: () => `[${valid.join(', ')}]`,
    };
  },
};

/** Kafka's `ConfigDef.CaseInsensitiveValidString.in(...)`. */
export const CaseInsensitiveValidString = {
  in(...valid: string[]): Validator {
    const upper = new Set(valid.map((s) => s.toUpperCase()));
    return {
      ensureValid(name, value) {
        if (typeof value !== 'string' || !upper.has(value.toUpperCase()))
          throw configError(
            name,
            value,
            `String must be one of (case insensitive): ${valid.join(', ')}`,
          );
      },
      toString: () => `(case insensitive) [${valid.join(', ')}]`,
    };
  },
};

/** Kafka's `ConfigDef.ValidList.in(...)`: every entry one of the listed strings. */
export const ValidList = {
  in(...valid: string[]): Validator {
    const each = ValidString.in(...valid);
    return {
      ensureValid(name, value) {
        for (const s of (value as string[] | null) ?? []) each.ensureValid(name, s);
      },
      toString: () => each.toString(),
    };
  },
};

/** Kafka's `ConfigDef.NonEmptyString`. */
export const NonEmptyString: Validator = {
  ensureValid(name, value) {
    if (value !== null && String(value).trim() === '')
      throw configError(name, value, 'String must be non-empty');
  },
  toString: () => 'non-empty string',
};

/** Kafka's `ConfigDef.LambdaValidator`: a check and how the docs describe it. */
export function lambdaValidator(
  ensureValid: (name: string, value: ConfigValue) => void,
  describe: () => string,
): Validator {
  return { ensureValid, toString: describe };
}

export interface ParseOptions {
  /** Where unknown keys are reported (default: the `config` logger). */
  logger?: Logger;
  /** Set to false where a caller parses a view of someone else's keys. Default true. */
  warnUnknown?: boolean;
}

const defaultLogger = createLogger('config');

/** The warning Kafka's AbstractConfig logs for a supplied key no definition knows. */
export function unknownConfigMessage(name: string): string {
  return `The configuration '${name}' was supplied but isn't a known config.`;
}

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKey>();

  /** Adds a key; its default (if any) is parsed and validated now, as Kafka does. */
  define(key: ConfigKey): this {
    if (this.keys.has(key.name)) throw new Error(`Configuration ${key.name} is defined twice.`);
    const def =
      key.default === NO_DEFAULT_VALUE || key.default === null
        ? key.default
        : parseType(key.name, key.default, key.type);
    if (def !== NO_DEFAULT_VALUE && def !== null) key.validator?.ensureValid(key.name, def);
    this.keys.set(key.name, { ...key, default: def });
    return this;
  }

  defineAll(keys: Iterable<ConfigKey>): this {
    for (const k of keys) this.define(k);
    return this;
  }

  /** A new ConfigDef with this one's keys and `other`'s (Kafka's `withClientSslSupport`-style merge). */
  merge(other: ConfigDef): ConfigDef {
    return new ConfigDef().defineAll(this.configKeys()).defineAll(other.configKeys());
  }

  has(name: string): boolean {
    return this.keys.has(name);
  }

  configKey(name: string): ConfigKey | undefined {
    return this.keys.get(name);
  }

  names(): string[] {
    return [...this.keys.keys()];
  }

  /** Keys in definition order. */
  configKeys(): ConfigKey[] {
    return [...this.keys.values()];
  }

  /** Defaults of the keys that have one (null for "unset"), in definition order. */
  defaultValues(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    for (const k of this.keys.values()) if (k.default !== NO_DEFAULT_VALUE) out[k.name] = k.default;
    return out;
  }

  /**
   * One supplied value of a defined key, parsed and validated as `parse` does it
   * (INVALID_CONFIG in Kafka's words); throws for a name the definition does not know.
   */
  parseValue(name: string, value: unknown): ConfigValue {
    const key = this.keys.get(name);
    if (!key) throw new Error(`Unknown configuration '${name}'`);
    const v = parseType(name, value, key.type);
    key.validator?.ensureValid(name, v);
    return v;
  }

  /**
   * Kafka's `ConfigDef.parse`: every defined key from `props` (its default when absent),
   * parsed and validated; unknown keys are warned about, one line each.
   */
  parse(
    props: Readonly<Record<string, unknown>>,
    opts: ParseOptions = {},
  ): Record<string, ConfigValue> {
    if (props === null || typeof props !== 'object')
      throw new KafkaError('INVALID_CONFIG', 'config must be an object of Kafka config keys');
    if (opts.warnUnknown !== false) {
      const logger = opts.logger ?? defaultLogger;
      for (const name of Object.keys(props))
        if (!this.keys.has(name) && props[name] !== undefined)
          logger.warn(unknownConfigMessage(name));
    }
    const out: Record<string, ConfigValue> = {};
    for (const key of this.keys.values()) {
      const supplied = props[key.name];
      if (supplied !== undefined && supplied !== null) {
        out[key.name] = this.parseValue(key.name, supplied);
      } else if (key.default === NO_DEFAULT_VALUE) {
        throw new KafkaError(
          'INVALID_CONFIG',
          `Missing required configuration "${key.name}" which has no default value.`,
        );
      } else {
        out[key.name] = key.default;
      }
    }
    return out;
  }
}

/**
 * Kafka's AbstractConfig: the parsed values of a ConfigDef plus what was supplied.
 * Getters throw for a name the definition does not know (a programming error).
 */
export class AbstractConfig {
  /** Everything supplied as strings, unknown keys included. */
  readonly originals: Readonly<Record<string, string>>;
  protected readonly values: Readonly<Record<string, ConfigValue>>;

  constructor(
    readonly definition: ConfigDef,
    props: Readonly<Record<string, unknown>>,
    opts: ParseOptions = {},
  ) {
    const originals: Record<string, string> = {};
    for (const [k, v] of Object.entries(props ?? {}))
      if (v !== undefined && v !== null) originals[k] = Array.isArray(v) ? v.join(',') : String(v);
    this.originals = originals;
    this.values = definition.parse(props, opts);
  }

  get(name: string): ConfigValue {
    if (!this.definition.has(name)) throw new Error(`Unknown configuration '${name}'`);
    return this.values[name];
  }

  /** An INT or LONG value; throws when the key is unset. */
  getInt(name: string): number {
    const v = this.get(name);
    if (v === null) throw new Error(`${name} has no value`);
    return v as number;
  }
  getIntOrNull(name: string): number | null {
    return this.get(name) as number | null;
  }
  getLong(name: string): number {
    return this.getInt(name);
  }
  getDouble(name: string): number {
    return this.getInt(name);
  }
  getBoolean(name: string): boolean {
    return this.get(name) as boolean;
  }
  getString(name: string): string | null {
    return this.get(name) as string | null;
  }
  getList(name: string): string[] | null {
    return this.get(name) as string[] | null;
  }
  /** A supplied value of any key, including keys the definition does not know. */
  getOriginal(name: string): string | undefined {
    return this.originals[name];
  }
  /** All parsed values by name. */
  valuesByName(): Readonly<Record<string, ConfigValue>> {
    return this.values;
  }
}

// --- Documentation ---------------------------------------------------------------------

/** Kafka's "Default" column: `null`, `""`, or the value; empty for required keys. */
export function defaultString(key: ConfigKey): string {
  if (key.default === NO_DEFAULT_VALUE) return '(required)';
  if (key.default === null) return '`null`';
  const s = convertToString(key.default)!;
  return s === '' ? '`""`' : '`' + s + '`';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export interface TableOptions {
  /** Keys to include, in the given order (default: every key, in definition order). */
  only?: readonly string[];
  /** Keys to leave out. */
  except?: readonly string[];
}

/**
 * The keys as a Markdown table, columns aligned as prettier formats them:
 * key | type | default | valid values | importance | description.
 */
export function configTableMarkdown(def: ConfigDef, opts: TableOptions = {}): string {
  let keys = opts.only
    ? opts.only.map((n) => {
        const k = def.configKey(n);
        if (!k) throw new Error(`no such key in the definition: ${n}`);
        return k;
      })
    : def.configKeys();
  if (opts.except) keys = keys.filter((k) => !opts.except!.includes(k.name));
  const header = ['key', 'type', 'default', 'valid values', 'importance', 'description'];
  const rows = keys.map((k) => [
    '`' + k.name + '`',
    k.type.toLowerCase(),
    cell(defaultString(k)),
    cell(k.validator ? k.validator.toString() : ''),
    k.importance.toLowerCase(),
    cell(k.doc),
  ]);
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The markers around a generated table in a README. */
export function generatedSectionMarkers(id: string): { begin: string; end: string } {
  return {
    begin: `<!-- config-table:${id} begin: generated from the ConfigDef, do not edit (npm run docs:config) -->`,
    end: `<!-- config-table:${id} end -->`,
  };
}

/** The text between the markers of `id` in `doc`, or null when the markers are missing. */
export function readGeneratedSection(doc: string, id: string): string | null {
  const { begin, end } = generatedSectionMarkers(id);
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) return null;
  return doc.slice(a + begin.length, b).trim();
}

/** `doc` with the text between the markers of `id` replaced by `content`. */
export function replaceGeneratedSection(doc: string, id: string, content: string): string {
  const { begin, end } = generatedSectionMarkers(id);
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers for config table ${id} not found`);
  return doc.slice(0, a + begin.length) + '\n\n' + content + '\n\n' + doc.slice(b);
}
