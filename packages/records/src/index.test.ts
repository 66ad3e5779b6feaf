import * as index from './index';
import * as batch from './batch';
import * as compression from './compression';
import * as control from './control';
import * as hash from './murmur2';
import * as varint from './varint';

describe('records > index', () => {
  test('re-exports every value of its modules, as a plain data property (no getter)', () => {
    const exported = index as unknown as Record<string, unknown>;
    for (const mod of [batch, compression, control, hash, varint]) {
      for (const [name, value] of Object.entries(mod)) {
        expect([name, exported[name]]).toEqual([name, value]);
        const d = Object.getOwnPropertyDescriptor(index, name);
        expect([name, d?.get]).toEqual([name, undefined]);
      }
    }
  });
});
