import fc from 'fast-check';
import {
  getInt8,
  getInt16,
  getInt32,
  getUint8,
  getUint16,
  getUint32,
  setInt8,
  setInt16,
  setInt32,
  setUint8,
  setUint16,
  setUint32,
} from './bytes';

type Get = (buf: Uint8Array, pos: number) => number;
type Set = (buf: Uint8Array, pos: number, value: number) => number;

const TYPES: {
  name: string;
  size: number;
  min: number;
  max: number;
  get: Get;
  set: Set;
  read: (b: Buffer, pos: number) => number;
  write: (b: Buffer, value: number, pos: number) => number;
}[] = [
  {
    name: 'int8',
    size: 1,
    min: -0x80,
    max: 0x7f,
    get: getInt8,
    set: setInt8,
    read: (b, p) => b.readInt8(p),
    write: (b, v, p) => b.writeInt8(v, p),
  },
  {
    name: 'uint8',
    size: 1,
    min: 0,
    max: 0xff,
    get: getUint8,
    set: setUint8,
    read: (b, p) => b.readUInt8(p),
    write: (b, v, p) => b.writeUInt8(v, p),
  },
  {
    name: 'int16',
    size: 2,
    min: -0x8000,
    max: 0x7fff,
    get: getInt16,
    set: setInt16,
    read: (b, p) => b.readInt16BE(p),
    write: (b, v, p) => b.writeInt16BE(v, p),
  },
  {
    name: 'uint16',
    size: 2,
    min: 0,
    max: 0xffff,
    get: getUint16,
    set: setUint16,
    read: (b, p) => b.readUInt16BE(p),
    write: (b, v, p) => b.writeUInt16BE(v, p),
  },
  {
    name: 'int32',
    size: 4,
    min: -0x80000000,
    max: 0x7fffffff,
    get: getInt32,
    set: setInt32,
    read: (b, p) => b.readInt32BE(p),
    write: (b, v, p) => b.writeInt32BE(v, p),
  },
  {
    name: 'uint32',
    size: 4,
    min: 0,
    max: 0xffffffff,
    get: getUint32,
    set: setUint32,
    read: (b, p) => b.readUInt32BE(p),
    write: (b, v, p) => b.writeUInt32BE(v, p),
  },
];

describe.each(TYPES)('$name', (t) => {
  it('reads what the Buffer method reads, at any offset of a view', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: t.size, maxLength: 24 }), fc.nat(), (bytes, n) => {
        // A view into a larger ArrayBuffer: offsets are relative to the view.
        const backing = Buffer.alloc(bytes.length + 8, 0xa5);
        backing.set(bytes, 3);
        const buf = backing.subarray(3, 3 + bytes.length);
        const pos = n % (bytes.length - t.size + 1);
        expect(t.get(buf, pos)).toBe(t.read(buf, pos));
      }),
    );
  });

  it('writes the bytes the Buffer method writes and returns the next offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: t.min, max: t.max }), fc.nat(8), (value, pos) => {
        const ours = Buffer.alloc(16, 0x5a);
        const node = Buffer.alloc(16, 0x5a);
        expect(t.set(ours, pos, value)).toBe(t.write(node, value, pos));
        expect(ours).toEqual(node);
        expect(t.get(ours, pos)).toBe(value);
      }),
    );
  });

  it('refuses an offset outside the buffer or not an integer, naming it', () => {
    const buf = Buffer.alloc(8);
    for (const pos of [-1, 8 - t.size + 1, 100, 0.5, NaN]) {
      expect(() => t.get(buf, pos)).toThrow(RangeError);
      expect(() => t.set(buf, pos, 0)).toThrow(RangeError);
    }
    expect(() => t.get(buf, 8)).toThrow(`${t.name} at offset 8 needs ${t.size} bytes`);
    expect(buf).toEqual(Buffer.alloc(8)); // nothing written
  });

  it('refuses a value outside the type, writing nothing', () => {
    const buf = Buffer.alloc(8);
    expect(() => t.set(buf, 0, t.max + 1)).toThrow(`value ${t.max + 1} is out of range`);
    expect(() => t.set(buf, 0, t.min - 1)).toThrow(RangeError);
    expect(buf).toEqual(Buffer.alloc(8));
  });
});
