/**
 * A declarative mirror of Kafka's JSON message definitions
 * (clients/src/main/resources/common/message/*.json): a message is a list of fields
 * with `versions`, `nullableVersions`, `taggedVersions`/`tag` and `default`, plus the
 * message's `flexibleVersions`. Property names are kzoo's NATIVE names (the wire
 * carries no names), so a decoded body is already shaped like the native type.
 *
 * `compile(version)` flattens a message for one version; the generic walker then
 * decodes (absent fields get their default) and encodes (absent fields are not
 * written) with compact types and tag buffers iff the version is flexible.
 * Encoding sizes the body first, so a frame is one Buffer.
 *
 * Two kzoo additions to Kafka's vocabulary:
 *   drop: true    a Kafka field the native type lacks: read and discarded on decode,
 *                 written from `default` on encode (unless the object carries it).
 *   nullAs: v     the wire allows null but the native type does not: null decodes as v.
 */
import { KafkaDecodeError, KafkaReader } from './reader';
import { KafkaWriter, uvarintSize } from './writer';

export type KafkaPrimitive =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';
export interface KafkaArrayType {
  readonly kind: 'array';
  readonly item: KafkaType;
}
export interface KafkaStructType {
  readonly kind: 'struct';
  readonly fields: ReadonlyArray<KafkaField>;
}
export type KafkaType = KafkaPrimitive | KafkaArrayType | KafkaStructType;

/** One field, as in Kafka's JSON; `T` is the (native) object type that holds it. */
export interface KafkaField<T = Record<string, unknown>> {
  readonly name: keyof T & string;
  readonly type: KafkaType;
  /** `'3+'`, `'0-4'`, `'7'`, `'none'`. */
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: unknown;
  readonly drop?: boolean;
  readonly nullAs?: unknown;
}

export function arrayOf(item: KafkaType): KafkaArrayType {
  return { kind: 'array', item };
}
/** A nested struct whose fields are typed against the native element type `T`. */
export function structOf<T>(fields: ReadonlyArray<KafkaField<T>>): KafkaStructType {
  return { kind: 'struct', fields: fields as ReadonlyArray<KafkaField> };
}

/** Parses a Kafka version range: `'3+'`, `'0-4'`, `'7'`, `'none'`. */
export function parseVersions(spec: string | undefined): [number, number] {
  if (spec === undefined || spec === 'none') return [1, 0];
  if (spec.endsWith('+')) return [Number(spec.slice(0, -1)), Infinity];
  const dash = spec.indexOf('-');
  if (dash > 0) return [Number(spec.slice(0, dash)), Number(spec.slice(dash + 1))];
  return [Number(spec), Number(spec)];
}
export function inVersions(spec: string | undefined, v: number): boolean {
  const [lo, hi] = parseVersions(spec);
  return v >= lo && v <= hi;
}

type Compiled =
  { k: KafkaPrimitive } | { k: 'array'; item: Compiled } | { k: 'struct'; s: CompiledStruct };

interface CompiledField {
  name: string;
  t: Compiled;
  nullable: boolean;
  def: unknown;
  drop: boolean;
  nullAs: unknown;
  tag: number;
}
interface CompiledStruct {
  /** Fields on the wire, in order (not tagged). */
  inline: CompiledField[];
  /** Tagged fields of this version, by ascending tag. */
  tagged: CompiledField[];
  /** Fields absent at this version: decode sets their default. */
  absent: CompiledField[];
}

function kafkaDefault(f: KafkaField, t: KafkaType, nullable: boolean): unknown {
  if (f.default !== undefined) return f.default;
  if (nullable) return null;
  if (typeof t !== 'string') return t.kind === 'array' ? [] : null;
  switch (t) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return EMPTY;
    case 'uuid':
      return ZERO_UUID;
    default:
      return 0;
  }
}

const EMPTY = Buffer.alloc(0);
const ZERO_UUID = Buffer.alloc(16);

function compileType(t: KafkaType, v: number): Compiled {
  if (typeof t === 'string') return { k: t };
  if (t.kind === 'array') return { k: 'array', item: compileType(t.item, v) };
  return { k: 'struct', s: compileStruct(t.fields, v) };
}

function compileStruct(fields: ReadonlyArray<KafkaField>, v: number): CompiledStruct {
  const out: CompiledStruct = { inline: [], tagged: [], absent: [] };
  for (const f of fields) {
    const nullable = inVersions(f.nullableVersions, v);
    const c: CompiledField = {
      name: f.name,
      t: compileType(f.type, v),
      nullable,
      def: kafkaDefault(f, f.type, nullable),
      drop: f.drop === true,
      nullAs: f.nullAs,
      tag: f.tag ?? -1,
    };
    if (!inVersions(f.versions, v)) out.absent.push(c);
    else if (inVersions(f.taggedVersions, v)) out.tagged.push(c);
    else out.inline.push(c);
  }
  out.tagged.sort((a, b) => a.tag - b.tag);
  return out;
}

function fresh(def: unknown): unknown {
  return Array.isArray(def) ? [] : def;
}

/** A message (request or response body) of one API across its versions. */
export class KafkaMessage<T = unknown> {
  private readonly cache = new Map<number, CompiledStruct>();
  readonly fields: ReadonlyArray<KafkaField>;

  constructor(
    readonly name: string,
    readonly flexibleVersions: string,
    fields: ReadonlyArray<KafkaField<T>>,
  ) {
    this.fields = fields as ReadonlyArray<KafkaField>;
  }

  isFlexible(version: number): boolean {
    return inVersions(this.flexibleVersions, version);
  }

  private compiled(version: number): CompiledStruct {
    let c = this.cache.get(version);
    if (!c) {
      c = compileStruct(this.fields, version);
      this.cache.set(version, c);
    }
    return c;
  }

  /** Decodes a body at `version`; throws KafkaDecodeError naming the field path. */
  read(r: KafkaReader, version: number): T {
    return readStruct(r, this.compiled(version), this.isFlexible(version)) as T;
  }

  /** Bytes the body takes at `version`. */
  sizeOf(value: T, version: number): number {
    return sizeStruct(
      value as Record<string, unknown>,
      this.compiled(version),
      this.isFlexible(version),
    );
  }

  write(w: KafkaWriter, value: T, version: number): void {
    writeStruct(
      w,
      value as Record<string, unknown>,
      this.compiled(version),
      this.isFlexible(version),
    );
  }

  /** Encodes a body alone into a fresh Buffer (tests, fuzz corpus). */
  encode(value: T, version: number): Buffer {
    const b = Buffer.allocUnsafe(this.sizeOf(value, version));
    this.write(new KafkaWriter(b), value, version);
    return b;
  }

  /** Decodes a whole buffer; trailing bytes are an error when `exact`. */
  decode(buf: Buffer, version: number, exact = false): T {
    const r = new KafkaReader(buf);
    const v = this.read(r, version);
    if (exact && r.remaining !== 0) {
      throw new KafkaDecodeError('', `${r.remaining} trailing bytes after the body`);
    }
    return v;
  }
}

/** Declares a message; `T` is the native type its property names come from. */
export function kafkaMessage<T>(
  name: string,
  flexibleVersions: string,
  fields: ReadonlyArray<KafkaField<T>>,
): KafkaMessage<T> {
  return new KafkaMessage<T>(name, flexibleVersions, fields);
}

// ---- decode ----

function readValue(r: KafkaReader, t: Compiled, nullable: boolean, flex: boolean): unknown {
  switch (t.k) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint32':
      return r.uint32();
    case 'float64':
      return r.float64();
    case 'bool':
      return r.boolean();
    case 'uuid':
      return r.uuid();
    case 'string':
      return nullable ? r.nullableString(flex) : r.string(flex);
    case 'bytes':
    case 'records':
      return nullable ? r.nullableBytes(flex) : r.bytes(flex);
    case 'array': {
      const n = r.arrayLength(flex, nullable);
      if (n < 0) return null;
      const out = new Array<unknown>(n);
      let i = 0;
      try {
        for (; i < n; i++) out[i] = readValue(r, t.item, false, flex);
      } catch (e) {
        if (e instanceof KafkaDecodeError) throw e.within(`[${i}]`);
        throw e;
      }
      return out;
    }
    case 'struct':
      return readStruct(r, t.s, flex);
  }
}

function readStruct(r: KafkaReader, s: CompiledStruct, flex: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  let f: CompiledField | undefined;
  try {
    for (f of s.inline) {
      let v = readValue(r, f.t, f.nullable, flex);
      if (v === null && f.nullAs !== undefined) v = fresh(f.nullAs);
      if (!f.drop) o[f.name] = v;
    }
    f = undefined;
    for (const a of s.absent) if (!a.drop) o[a.name] = fresh(a.def);
    if (flex) {
      for (const tf of s.tagged) if (!tf.drop) o[tf.name] = fresh(tf.def);
      const n = r.uvarint();
      let last = -1;
      for (let i = 0; i < n; i++) {
        const tag = r.uvarint();
        if (tag <= last) throw new KafkaDecodeError('', `tag ${tag} after tag ${last}`);
        last = tag;
        const size = r.uvarint();
        const at = r.skip(size, 'tagged field');
        f = s.tagged.find((x) => x.tag === tag);
        if (f && !f.drop) {
          const sub = new KafkaReader(r.buf, at, at + size);
          o[f.name] = readValue(sub, f.t, f.nullable, true);
        }
        f = undefined;
      }
    }
  } catch (e) {
    if (e instanceof KafkaDecodeError && f) throw e.within(f.name);
    throw e;
  }
  return o;
}

// ---- encode (size first, then write) ----

/** The value to write for field `f` of `o`: absent → default, null where not nullable → empty. */
function valueOf(o: Record<string, unknown>, f: CompiledField): unknown {
  let v = o[f.name];
  if (v === undefined) v = f.def;
  if (v === null && !f.nullable) v = emptyOf(f.t);
  return v;
}

function emptyOf(t: Compiled): unknown {
  switch (t.k) {
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return EMPTY;
    case 'array':
      return [];
    case 'struct':
      return {};
    case 'bool':
      return false;
    case 'uuid':
      return ZERO_UUID;
    default:
      return 0;
  }
}

function lengthSize(n: number, flex: boolean, classic: number): number {
  return flex ? uvarintSize(n + 1) : classic;
}

function sizeValue(v: unknown, t: Compiled, flex: boolean): number {
  switch (t.k) {
    case 'int8':
    case 'bool':
      return 1;
    case 'int16':
      return 2;
    case 'int32':
    case 'uint32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
    case 'string': {
      if (v === null) return lengthSize(-1, flex, 2);
      const n = Buffer.byteLength(v as string);
      return lengthSize(n, flex, 2) + n;
    }
    case 'bytes':
    case 'records': {
      if (v === null) return lengthSize(-1, flex, 4);
      const n = (v as Buffer).length;
      return lengthSize(n, flex, 4) + n;
    }
    case 'array': {
      if (v === null) return lengthSize(-1, flex, 4);
      const a = v as unknown[];
      let size = lengthSize(a.length, flex, 4);
      for (let i = 0; i < a.length; i++) size += sizeValue(itemOf(a[i], t.item), t.item, flex);
      return size;
    }
    case 'struct':
      return sizeStruct(v as Record<string, unknown>, t.s, flex);
  }
}

function itemOf(v: unknown, t: Compiled): unknown {
  return v === null || v === undefined ? emptyOf(t) : v;
}

/** A tagged field is written only when its value differs from the default. */
function taggedValue(o: Record<string, unknown>, f: CompiledField): unknown {
  const v = o[f.name];
  if (v === undefined || v === f.def) return undefined;
  if (Array.isArray(v) && v.length === 0 && Array.isArray(f.def)) return undefined;
  return v;
}

function sizeStruct(o: Record<string, unknown>, s: CompiledStruct, flex: boolean): number {
  let size = 0;
  for (const f of s.inline) size += sizeValue(valueOf(o, f), f.t, flex);
  if (flex) {
    let count = 0;
    for (const f of s.tagged) {
      const v = taggedValue(o, f);
      if (v === undefined) continue;
      count++;
      const n = sizeValue(v, f.t, true);
      size += uvarintSize(f.tag) + uvarintSize(n) + n;
    }
    size += uvarintSize(count);
  }
  return size;
}

function writeValue(w: KafkaWriter, v: unknown, t: Compiled, flex: boolean): void {
  switch (t.k) {
    case 'int8':
      return w.int8(v as number);
    case 'int16':
      return w.int16(v as number);
    case 'int32':
      return w.int32(v as number);
    case 'int64':
      return w.int64(v as number);
    case 'uint32':
      return w.uint32(v as number);
    case 'float64':
      return w.float64(v as number);
    case 'bool':
      return w.boolean(v as boolean);
    case 'uuid':
      return w.uuid(v as Buffer);
    case 'string':
      return w.string(v as string | null, flex);
    case 'bytes':
    case 'records':
      return w.bytes(v as Buffer | null, flex);
    case 'array': {
      if (v === null) return w.arrayLength(-1, flex);
      const a = v as unknown[];
      w.arrayLength(a.length, flex);
      for (let i = 0; i < a.length; i++) writeValue(w, itemOf(a[i], t.item), t.item, flex);
      return;
    }
    case 'struct':
      return writeStruct(w, v as Record<string, unknown>, t.s, flex);
  }
}

function writeStruct(
  w: KafkaWriter,
  o: Record<string, unknown>,
  s: CompiledStruct,
  flex: boolean,
): void {
  for (const f of s.inline) writeValue(w, valueOf(o, f), f.t, flex);
  if (flex) {
    const present: Array<[CompiledField, unknown]> = [];
    for (const f of s.tagged) {
      const v = taggedValue(o, f);
      if (v !== undefined) present.push([f, v]);
    }
    w.uvarint(present.length);
    for (const [f, v] of present) {
      w.uvarint(f.tag);
      w.uvarint(sizeValue(v, f.t, true));
      writeValue(w, v, f.t, true);
    }
  }
}
