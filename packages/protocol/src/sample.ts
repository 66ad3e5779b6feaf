/**
 * Seeded random values that conform to a schema, for round-trip and fuzz tests
 * (and benchmarks). Not used on any production path.
 */
import type { Type } from './schema';

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['', 'a', 'topic-1', 'kzoo', 'ünïcødé', 'group.x', '__consumer_offsets'];

/** A random value of `type`; arrays have at most `maxLen` items. */
export function sampleValue(type: Type<unknown>, rnd: () => number, maxLen = 3): unknown {
  const s = type.shape;
  switch (s.kind) {
    case 'int': {
      const r = rnd();
      if (r < 0.2) return s.min;
      if (r < 0.4) return s.max;
      if (r < 0.6) return 0;
      return Math.floor(s.min + rnd() * (s.max - s.min));
    }
    case 'float': {
      const r = rnd();
      return r < 0.3 ? 0 : r < 0.6 ? Math.floor(rnd() * 1e9) : (rnd() - 0.5) * 1e6;
    }
    case 'boolean':
      return rnd() < 0.5;
    case 'string':
      return WORDS[Math.floor(rnd() * WORDS.length)];
    case 'bytes': {
      const b = Buffer.allocUnsafe(Math.floor(rnd() * 64));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
      return b;
    }
    case 'nullable':
      return rnd() < 0.3 ? null : sampleValue(s.inner, rnd, maxLen);
    case 'array': {
      const n = Math.floor(rnd() * (maxLen + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(sampleValue(s.item, rnd, maxLen));
      return out;
    }
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const [k, t] of Object.entries(s.fields)) o[k] = sampleValue(t, rnd, maxLen);
      return o;
    }
  }
}
