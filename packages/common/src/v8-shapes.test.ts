import * as v8 from 'node:v8';
import { emptyObjectArray, mapToObjects } from './v8-shapes';

// V8's own view of an array's element kind (natives syntax, enabled for this test only).
v8.setFlagsFromString('--allow-natives-syntax');
const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (
  a: unknown[],
) => boolean;
const hasHoleyElements = new Function('a', 'return %HasHoleyElements(a)') as (
  a: unknown[],
) => boolean;
const hasSmiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown[]) => boolean;

describe('common > emptyObjectArray', () => {
  it('is empty and already of the object element kind, where a literal starts as small integers', () => {
    const literal: object[] = [];
    expect(hasSmiElements(literal)).toBe(true);
    const a = emptyObjectArray<object>();
    expect(a).toEqual([]);
    expect(a.length).toBe(0);
    expect(hasObjectElements(a)).toBe(true);
    a.push({ x: 1 });
    expect(a).toEqual([{ x: 1 }]);
    expect(hasObjectElements(a)).toBe(true);
  });

  it('hands out a new array each time', () => {
    const a = emptyObjectArray<object>();
    a.push({});
    expect(emptyObjectArray<object>()).toEqual([]);
  });
});

describe('common > mapToObjects', () => {
  it('maps in order into a packed array of the object kind, whatever the input kind', () => {
    const holey: number[] = new Array<number>(3);
    holey[0] = 1;
    holey[1] = 2;
    holey[2] = 3;
    expect(hasHoleyElements(holey)).toBe(true);
    const keys = mapToObjects(holey, (n) => `topic-${n}`);
    expect(keys).toEqual(['topic-1', 'topic-2', 'topic-3']);
    expect(hasObjectElements(keys)).toBe(true);
    expect(hasHoleyElements(keys)).toBe(false);
    expect(mapToObjects([], (n: number) => String(n))).toEqual([]);
    expect(hasObjectElements(mapToObjects([], (n: number) => String(n)))).toBe(true);
  });
});
