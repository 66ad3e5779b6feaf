/**
 * Keeping V8's hidden classes steady on hot paths. Optimized code is specialised on the
 * shapes (maps) it has seen; a value of a shape it has not seen deoptimizes it, and the
 * function runs in the interpreter until it is compiled again (1-3 s on a busy machine).
 */

/**
 * An empty array whose elements are already of V8's object kind (`PACKED_ELEMENTS`). An
 * empty literal `[]` starts as an array of small integers and changes kind at its first
 * object; optimized code that meets such a fresh array at `push(object)` deoptimizes ("not
 * a Smi"). A per-connection queue made with `[]` did that to the request path of every
 * broker at each new connection's first request. For strings too (heap objects to V8).
 */
export function emptyObjectArray<T extends object | string>(): T[] {
  const a: T[] = [undefined as unknown as T];
  a.pop();
  return a;
}

/**
 * `f` of each of `xs`, in an array of V8's packed object kind. `Array.prototype.map`'s result
 * is packed or holey depending on which of its paths ran, and a loop optimized on one kind
 * deoptimizes at the other: the purgatories' loops over an operation's keys did ("wrong
 * map") at the first produce of a new producer.
 */
export function mapToObjects<S, T extends object | string>(xs: readonly S[], f: (x: S) => T): T[] {
  const out = emptyObjectArray<T>();
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]));
  return out;
}
