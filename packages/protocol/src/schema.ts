/**
 * A small schema language for request/response bodies: Kafka's primitive types
 * (int8/16/32/64 as JS numbers, boolean, string, nullable string, bytes as Buffer),
 * arrays and nested structs. Each API version declares one schema per direction;
 * decoders call `validate()`, which checks types and ranges in place (no copy) and
 * throws a `SchemaError` naming the field path (`topics[2].partitions[0].index`).
 *
 * Validation is per field, so a Produce request costs per partition, never per
 * record: `records` is a bytes field checked with one `Buffer.isBuffer`.
 * Paths are built only on failure (each level prepends its segment while the error
 * unwinds), so the success path allocates nothing.
 */

/** What a type is, for tools that walk schemas (sample generators, docs). */
export type TypeShape =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'float' }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'bytes' }
  | { kind: 'nullable'; inner: Type<unknown> }
  | { kind: 'array'; item: Type<unknown> }
  | { kind: 'struct'; fields: Readonly<Record<string, Type<unknown>>> };

export interface Type<T> {
  /** Human name, used in error messages: `int32`, `array<int32>`, `struct`. */
  readonly typeName: string;
  readonly shape: TypeShape;
  readonly nullable: boolean;
  /** Throws SchemaError when `value` does not conform. */
  check(value: unknown): void;
  /** Phantom, for type inference only. */
  readonly __t?: T;
}

/**
 * An error about one field of a message: `path` names it (`topics[2].partitions[0].index`),
 * `problem` says what is wrong. Decoders prepend path segments while the error unwinds.
 */
export class FieldPathError extends Error {
  constructor(
    public path: string,
    public readonly problem: string,
  ) {
    super(`${path || '<body>'}: ${problem}`);
  }
  /** Prepends a path segment while unwinding (`topics` + `[2].index`). */
  within(segment: string): this {
    this.path =
      this.path === '' || this.path.startsWith('[')
        ? segment + this.path
        : `${segment}.${this.path}`;
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

/** A value that does not match its schema; `path` names the field. */
export class SchemaError extends FieldPathError {
  constructor(path: string, problem: string) {
    super(path, problem);
    this.name = 'SchemaError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'array';
  if (Buffer.isBuffer(v)) return 'bytes';
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === 'string') return 'string';
  return typeof v;
}

function fail(expected: string, v: unknown): never {
  throw new SchemaError('', `expected ${expected}, got ${describe(v)}`);
}

function intType(typeName: string, min: number, max: number): Type<number> {
  return {
    typeName,
    nullable: false,
    shape: { kind: 'int', min, max },
    check(v) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(typeName, v);
    },
  };
}

export const int8: Type<number> = intType('int8', -128, 127);
export const int16: Type<number> = intType('int16', -32768, 32767);
export const int32: Type<number> = intType('int32', -2147483648, 2147483647);
/** 64-bit integers travel as JS numbers and must be safe integers (|v| < 2^53). */
export const int64: Type<number> = intType(
  'int64',
  Number.MIN_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER,
);

/** Kafka's float64: any finite number (quota values). */
export const float64: Type<number> = {
  typeName: 'float64',
  nullable: false,
  shape: { kind: 'float' },
  check(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('float64', v);
  },
};

export const boolean: Type<boolean> = {
  typeName: 'boolean',
  nullable: false,
  shape: { kind: 'boolean' },
  check(v) {
    if (typeof v !== 'boolean') fail('boolean', v);
  },
};

export const string: Type<string> = {
  typeName: 'string',
  nullable: false,
  shape: { kind: 'string' },
  check(v) {
    if (typeof v !== 'string') fail('string', v);
  },
};

/** Binary payloads (record batches, group metadata): a Buffer, usually a view into the frame. */
export const bytes: Type<Buffer> = {
  typeName: 'bytes',
  nullable: false,
  shape: { kind: 'bytes' },
  check(v) {
    if (!Buffer.isBuffer(v)) fail('bytes', v);
  },
};

/** `null` (or an absent field) is accepted; struct validation turns absent into `null`. */
export function nullable<T>(inner: Type<T>): Type<T | null> {
  return {
    typeName: `nullable ${inner.typeName}`,
    nullable: true,
    shape: { kind: 'nullable', inner: inner as Type<unknown> },
    check(v) {
      if (v === null || v === undefined) return;
      inner.check(v);
    },
  };
}

export const nullableString: Type<string | null> = nullable(string);
export const nullableBytes: Type<Buffer | null> = nullable(bytes);

export function array<T>(item: Type<T>): Type<T[]> {
  const typeName = `array<${item.typeName}>`;
  return {
    typeName,
    nullable: false,
    shape: { kind: 'array', item: item as Type<unknown> },
    check(v) {
      if (!Array.isArray(v)) fail(typeName, v);
      const n = v.length;
      let i = 0;
      try {
        for (; i < n; i++) item.check(v[i]);
      } catch (e) {
        if (e instanceof SchemaError) throw e.within(`[${i}]`);
        throw e;
      }
    },
  };
}

/** The fields of T, each with a schema type whose value type is T's field type. */
export type Fields<T> = { [K in keyof T]-?: Type<T[K]> };

/**
 * A struct: a msgpack map with these fields. Unknown extra fields are ignored (a
 * newer peer may send more); a missing field is an error unless its type is nullable.
 */
export function struct<T extends object>(fields: Fields<T>): Type<T> {
  const names = Object.keys(fields) as Array<keyof T & string>;
  const types = names.map((n) => fields[n] as Type<unknown>);
  const n = names.length;
  return {
    typeName: 'struct',
    nullable: false,
    shape: { kind: 'struct', fields: fields as Record<string, Type<unknown>> },
    check(v) {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Buffer.isBuffer(v)) {
        fail('struct', v);
      }
      const o = v as Record<string, unknown>;
      let i = 0;
      try {
        for (; i < n; i++) {
          const value = o[names[i]];
          if (value === undefined) {
            if (!types[i].nullable) fail(types[i].typeName, value);
            o[names[i]] = null;
          } else {
            types[i].check(value);
          }
        }
      } catch (e) {
        if (e instanceof SchemaError) throw e.within(names[i]);
        throw e;
      }
    },
  };
}

/** Checks `value` against `type`; throws SchemaError naming the bad field. */
export function validate<T>(type: Type<T>, value: unknown): asserts value is T {
  type.check(value);
}
