import {
  SchemaError,
  array,
  boolean,
  bytes,
  int16,
  int32,
  int64,
  int8,
  nullable,
  nullableString,
  string,
  struct,
  validate,
} from './schema';

interface P {
  index: number;
  records: Buffer;
}
interface T {
  name: string;
  partitions: P[];
  id: string | null;
  ok: boolean;
  offset: number;
  ids: number[] | null;
}
const schema = struct<T>({
  name: string,
  partitions: array(struct<P>({ index: int32, records: bytes })),
  id: nullableString,
  ok: boolean,
  offset: int64,
  ids: nullable(array(int32)),
});

function errorOf(v: unknown): SchemaError {
  try {
    validate(schema, v);
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error('no error');
}

const good = (): T => ({
  name: 't',
  partitions: [{ index: 0, records: Buffer.from([1]) }],
  id: null,
  ok: true,
  offset: 2 ** 52,
  ids: [1, 2],
});

describe('protocol > schema > validate', () => {
  it('accepts a conforming value and fills absent nullable fields with null', () => {
    const v: Partial<T> = good();
    delete v.id;
    validate(schema, v);
    expect(v.id).toBeNull();
  });

  it('names the path of a wrong field', () => {
    const v = good() as unknown as { partitions: Array<Record<string, unknown>> };
    v.partitions.push({ index: 1, records: 'nope' });
    const e = errorOf(v);
    expect(e.path).toBe('partitions[1].records');
    expect(e.message).toBe('partitions[1].records: expected bytes, got string');
  });

  it('reports missing required fields', () => {
    const v = good() as Partial<T>;
    delete v.ok;
    expect(errorOf(v).message).toBe('ok: expected boolean, got missing');
  });

  it('checks integer ranges', () => {
    expect(() => int8.check(128)).toThrow(SchemaError);
    expect(() => int16.check(-32769)).toThrow(SchemaError);
    expect(() => int32.check(2 ** 31)).toThrow(SchemaError);
    expect(() => int32.check(1.5)).toThrow(SchemaError);
    expect(() => int64.check(2 ** 53)).toThrow(SchemaError);
    expect(() => int64.check(-(2 ** 53) + 1)).not.toThrow();
    expect(errorOf({ ...good(), offset: 2 ** 60 }).path).toBe('offset');
  });

  it('refuses non-struct values where structs are expected', () => {
    expect(errorOf([]).message).toBe('<body>: expected struct, got array');
    expect(errorOf(null).message).toBe('<body>: expected struct, got null');
    expect(errorOf({ ...good(), partitions: [Buffer.alloc(1)] }).path).toBe('partitions[0]');
    expect(errorOf({ ...good(), ids: [1, 'x'] }).path).toBe('ids[1]');
  });
});
