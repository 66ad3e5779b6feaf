/**
 * One scheduler: production code waits, measures and schedules through an injected
 * `Time` (`time.milliseconds()`, `time.sleep()`, `time.schedule()`), never through the
 * globals, so every timer runs on a MockTime in unit tests. Only common/src/time.ts (the
 * scheduler itself) touches them; the CLI, testkit and benchmarks keep the wall clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGES = path.resolve(__dirname, '..', '..');

const FORBIDDEN: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /(?<![\w.$])setTimeout\s*\(/, why: 'setTimeout: use time.schedule / time.sleep' },
  { pattern: /(?<![\w.$])setInterval\s*\(/, why: 'setInterval: use time.schedule(periodMs)' },
  { pattern: /\bDate\.now\b/, why: 'Date.now: use time.milliseconds()' },
];

/** Where the wall clock is the point: the scheduler, the CLI, testkit, benchmarks. */
function exempt(rel: string): boolean {
  return (
    rel === 'common/src/time.ts' ||
    rel.startsWith('cli/') ||
    rel.startsWith('testkit/') ||
    /(^|\/)bench(\.ts|\/)/.test(rel)
  );
}

/**
 * Production lines still allowed to use a global timer, each with its reason; the count
 * is exact, so a new use in the same file fails too.
 */
const ALLOWED: Array<{ file: string; pattern: RegExp; count: number; why: string }> = [];

/** Production sources: packages/<pkg>/src/**.ts, not tests. */
function productionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...productionFiles(p));
    else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) && !e.name.endsWith('.d.ts'))
      out.push(p);
  }
  return out;
}

function isComment(line: string): boolean {
  const t = line.trim();
  return t.startsWith('//') || t.startsWith('*') || t.startsWith('/*');
}

function offences(
  rel: string,
  text: string,
): Array<{ rel: string; line: string; why: string; pattern: RegExp }> {
  const out: Array<{ rel: string; line: string; why: string; pattern: RegExp }> = [];
  text.split('\n').forEach((line, i) => {
    if (isComment(line)) return;
    for (const { pattern, why } of FORBIDDEN)
      if (pattern.test(line))
        out.push({ rel, line: `${rel}:${i + 1}: ${line.trim()}`, why, pattern });
  });
  return out;
}

describe('common > Time > one scheduler', () => {
  it('no production source outside the scheduler uses setTimeout / setInterval / Date.now', () => {
    const files = fs
      .readdirSync(PACKAGES, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(PACKAGES, e.name, 'src')))
      .flatMap((e) => productionFiles(path.join(PACKAGES, e.name, 'src')));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => {
      const rel = path.relative(PACKAGES, f).split(path.sep).join('/');
      return exempt(rel) ? [] : offences(rel, fs.readFileSync(f, 'utf8'));
    });
    const unexplained: string[] = [];
    for (const a of ALLOWED) {
      const hits = found.filter((o) => o.rel === a.file && o.pattern.source === a.pattern.source);
      // an allow-list entry that no longer matches reality must be removed or updated
      expect({ file: a.file, count: hits.length }).toEqual({ file: a.file, count: a.count });
    }
    for (const o of found)
      if (!ALLOWED.some((a) => a.file === o.rel && a.pattern.source === o.pattern.source))
        unexplained.push(`${o.line}  (${o.why})`);
    expect(unexplained).toEqual([]);
  });

  it('recognises the forbidden forms and not their look-alikes', () => {
    const hit = (line: string) => offences('x.ts', line).length > 0;
    expect(hit('const t = setTimeout(() => r(), 10);')).toBe(true);
    expect(hit('this.timer = setInterval(fn, 100);')).toBe(true);
    expect(hit('await new Promise((r) => setTimeout(r, 5))')).toBe(true);
    expect(hit('const now = Date.now();')).toBe(true);
    expect(hit('milliseconds: Date.now,')).toBe(true);
    expect(hit('socket.setTimeout(opts.connectionsMaxIdleMs);')).toBe(false);
    expect(hit('this.time.schedule("x", fn, 10);')).toBe(false);
    expect(hit('const now = this.time.milliseconds();')).toBe(false);
    expect(hit(' * unlike Date.now() in a comment')).toBe(false);
    expect(exempt('cli/src/commands/produce.ts')).toBe(true);
    expect(exempt('broker/src/bench.ts')).toBe(true);
    expect(exempt('broker/src/network/bench.ts')).toBe(true);
    expect(exempt('broker/src/server/ReplicaManager.ts')).toBe(false);
  });
});
