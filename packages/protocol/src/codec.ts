/**
 * The one place that owns msgpackr's options for kzoo's native protocol.
 *
 * - Plain MessagePack (`useRecords: false`): maps decode to plain objects, so any
 *   MessagePack implementation can speak the protocol.
 * - `undefined` encodes as nil; 64-bit integers from other encoders decode as numbers
 *   (the schema then insists on safe integers).
 * - Buffers encode as `bin` (one copy, into the packer's output buffer). On decode a
 *   `bin` is a `subarray` view of the frame: record batches reach the handler with no
 *   copy (and keep the frame's memory alive while referenced).
 * - Decoding uses `unpackMultiple` with a callback so that trailing bytes are
 *   detected without msgpackr's JSON preview of the value (which would allocate in
 *   proportion to the body).
 */
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';

const options = {
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  encodeUndefinedAsNil: true,
  int64AsType: 'number' as const,
  bundleStrings: false,
};

const packr = new Packr(options);
const unpackr = new Unpackr(options);

/** A body that is not one well-formed MessagePack value. */
export class BodyDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyDecodeError';
  }
}

/**
 * Encodes a body. The returned Buffer is a view into msgpackr's shared output buffer;
 * it stays valid (msgpackr never writes over bytes it has handed out).
 */
export function encodeBody(value: unknown): Buffer {
  return packr.pack(value);
}

/** The most bytes `encodeBodyAfter` can reserve in front of the body. */
export const MAX_RESERVED_PREFIX = 255;

/**
 * Encodes a body with `prefixBytes` (<= 255) uninitialised bytes reserved in front of
 * it, for the caller's frame header: the whole frame is then one Buffer, no copy.
 */
export function encodeBodyAfter(value: unknown, prefixBytes: number): Buffer {
  return packr.pack(value, RESERVE_START_SPACE | prefixBytes);
}

/** Decodes exactly one MessagePack value spanning all of `buf`. */
export function decodeBody(buf: Buffer): unknown {
  if (buf.length === 0) throw new BodyDecodeError('empty body');
  let result: unknown;
  let end = 0;
  let count = 0;
  try {
    unpackr.unpackMultiple(buf, (value: unknown, _start?: number, stop?: number) => {
      result = value;
      end = stop ?? buf.length;
      count++;
      return false;
    });
  } catch (e) {
    throw new BodyDecodeError(`malformed MessagePack: ${(e as Error).message.slice(0, 120)}`);
  }
  if (count !== 1) throw new BodyDecodeError('malformed MessagePack: no value');
  if (end !== buf.length) {
    throw new BodyDecodeError(`malformed MessagePack: ${buf.length - end} trailing bytes`);
  }
  return result;
}
