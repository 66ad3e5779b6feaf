import * as v8 from 'node:v8';
import { emptyObjectArray } from './v8-shapes';

// V8's own view of an array's element kind (natives syntax, enabled for this test only).
v8.setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (
  a: unknown[],
) => boolean;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
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
