/**
 * Architecture rules the compiler does not check, over every package's src/:
 * no import cycle inside a package (runtime imports; `import type` is erased and
 * does not count); no exported function, class or constant that nothing in the
 * repository uses (sources, tests, scripts); one file-naming rule: a file holding one
 * Kafka class or object is named after it (`ReplicaManager.ts`), any other module is
 * kebab-case (`socket-frames.ts`), never camelCase, and a kebab-case file never holds
 * the class its name spells (`fetcher.ts` holding `Fetcher` must be `Fetcher.ts`);
 * a package entry (`index.ts`) exports plain data properties, no re-export getters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const packagesDir = path.join(root, 'packages');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
      out.push(p);
  }
  return out;
}

/** Relative runtime imports and re-exports of a file, resolved to files. */
export function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(import|export)\s+([^;]*?)\s+from\s+'(\.[^']*)';/gm;
  for (const m of text.matchAll(re)) {
    const what = m[2].trim();
    if (what.startsWith('type ')) continue;
    const braces = /^\{([\s\S]*)\}$/.exec(what);
    if (braces) {
      const names = braces[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    const target = path.resolve(path.dirname(file), m[3]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

function findCycle(files: string[]): string[] | null {
  const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'visiting') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'visiting');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      const c = visit(g);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of files) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

/** `export function|class|const|let NAME` declarations of a file. */
function exportedValues(file: string): string[] {
  const re = /^export\s+(?:async\s+)?(?:function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/gm;
  return [...fs.readFileSync(file, 'utf8').matchAll(re)].map((m) => m[1]);
}

/** How often each identifier occurs in `files`. */
function identifierCounts(files: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/[A-Za-z_$][\w$]*/g)) {
      counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    }
  }
  return counts;
}

/** Exported values that occur nowhere but in their own declaration. */
export function unusedExports(sources: string[], corpus: string[]): string[] {
  const counts = identifierCounts(corpus);
  const out: string[] = [];
  for (const f of sources) {
    for (const name of exportedValues(f)) {
      if ((counts.get(name) ?? 0) <= 1) out.push(`${path.relative(root, f)}: ${name}`);
    }
  }
  return out;
}

/** Every .ts/.js/.mjs/.sh file under `dir`, skipping node_modules and build output. */
function allFiles(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else if (/\.(ts|js|mjs|sh)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** What is wrong with the name of `file` under the naming rule, or null. */
export function namingProblem(file: string): string | null {
  const name = path.basename(file).replace(/(\.test)?\.ts$/, '');
  if (/^[A-Z][A-Za-z0-9]*(\.[a-z]+)*$/.test(name)) return null;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*$/.test(name)) {
    return `${name}: neither a class name (PascalCase) nor kebab-case`;
  }
  const spelled = name
    .split(/[-.]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const classes = [
    ...fs.readFileSync(file, 'utf8').matchAll(/^export\s+(?:abstract\s+)?class\s+(\w+)/gm),
  ].map((m) => m[1]);
  return classes.includes(spelled) ? `${name}: holds class ${spelled}, so ${spelled}.ts` : null;
}

/**
 * Names `mod` (the loaded `indexFile`) exports through an accessor. tsc compiles
 * `export * from` and `export { a } from` to getters (`export *`'s all one shared closure,
 * a megamorphic `m[k]`), so every `pkg_1.a` read in another package is a getter call, and
 * an exports object of ~100 accessors is kept in dictionary mode by V8; `export import
 * a = m.a` compiles to `exports.a = m.a` (scripts/flatten-index.js rewrites an index so).
 * `export { default as X }` cannot be written so and is let be.
 */
export function reexportGetters(indexFile: string, mod: object): string[] {
  const text = fs.readFileSync(indexFile, 'utf8');
  const defaults = new Set([...text.matchAll(/\bdefault as (\w+)/g)].map((m) => m[1]));
  return Object.keys(mod).filter(
    (k) => Object.getOwnPropertyDescriptor(mod, k)?.get !== undefined && !defaults.has(k),
  );
}

/**
 * Lines of `file` that call a Buffer integer method (`buf.readInt32BE(p)`,
 * `buf.writeUInt16BE(v, p)`, ...). In optimized code V8 finds such a method through a call
 * to its LoadIC builtin on every call (it does not inline loads from a typed array's
 * prototype), and node checks the write's arguments through a wrapper: 7-10 ns a call
 * against 1.5-2.5 ns for @kzoo/common's getInt32/setInt32 (packages/common/src/bytes.ts).
 */
export function bufferIntegerCalls(file: string): string[] {
  const re = /\.(read|write)((U?Int|Uint)8|(U?Int|Uint)(16|32)BE)\(/;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line, `${path.relative(root, file)}:${i + 1}: ${line.trim()}`])
    .filter(([line]) => re.test(line.replace(/\/\/.*$|^\s*\*.*$/, '')))
    .map(([, where]) => where);
}

describe('architecture', () => {
  const packages = fs
    .readdirSync(packagesDir)
    .filter((p) => fs.existsSync(path.join(packagesDir, p, 'src')));

  it.each(packages)('packages/%s has no import cycle', (pkg) => {
    const files = sourceFiles(path.join(packagesDir, pkg, 'src'));
    const cycle = findCycle(files);
    expect(cycle?.map((f) => path.relative(root, f)).join(' -> ') ?? null).toBeNull();
  });

  it('exports nothing that nothing uses', () => {
    const sources = packages.flatMap((pkg) => sourceFiles(path.join(packagesDir, pkg, 'src')));
    const corpus = [...allFiles(packagesDir), ...allFiles(path.join(root, 'scripts'))];
    expect(unusedExports(sources, corpus)).toEqual([]);
  });

  // Every index.ts but the test harness entries, which register jest / node:test hooks.
  const indexes = packages
    .flatMap((pkg) => sourceFiles(path.join(packagesDir, pkg, 'src')))
    .filter((f) => path.basename(f) === 'index.ts' && !/testkit\/src\/(jest|node-test)\//.test(f))
    .map((f) => path.relative(root, f));

  it.each(indexes)('%s exports data properties, no re-export getter', (file) => {
    const full = path.join(root, file);
    expect(reexportGetters(full, require(full))).toEqual([]);
  });

  it('reads and writes integers in Buffers through @kzoo/common, not Buffer methods', () => {
    const files = packages.flatMap((pkg) => sourceFiles(path.join(packagesDir, pkg, 'src')));
    expect(files.flatMap(bufferIntegerCalls)).toEqual([]);
  });

  it('sees a Buffer integer method call', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kzoo-bytes-'));
    try {
      const file = path.join(dir, 'a.ts');
      fs.writeFileSync(
        file,
        [
          'const n = buf.readInt32BE(4);',
          'buf.writeUInt16BE(n, 0);',
          '// buf.readInt32BE(4) in a comment',
          'const d = buf.readDoubleBE(0) + getInt32(buf, 4);',
        ].join('\n'),
      );
      expect(bufferIntegerCalls(file).map((l) => l.replace(/^.*?:(\d+): .*$/, '$1'))).toEqual([
        '1',
        '2',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names files by the one rule', () => {
    const files = packages.flatMap((pkg) => sourceFiles(path.join(packagesDir, pkg, 'src')));
    const problems = files
      .map((f) => [path.relative(root, f), namingProblem(f)])
      .filter(([, p]) => p !== null);
    expect(problems).toEqual([]);
  });

  it('sees a file name that breaks the rule', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kzoo-names-'));
    try {
      const write = (name: string, text = 'export const x = 1;\n') => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      };
      expect(namingProblem(write('ReplicaManager.ts'))).toBeNull();
      expect(namingProblem(write('socket-frames.ts'))).toBeNull();
      expect(namingProblem(write('23-offset-for-leader-epoch.ts'))).toBeNull();
      expect(namingProblem(write('KafkaZk.contract.ts'))).toBeNull();
      expect(namingProblem(write('peerAddress.ts'))).toMatch(/neither/);
      expect(namingProblem(write('fetcher.ts', 'export class Fetcher {}\n'))).toMatch(
        /holds class Fetcher, so Fetcher.ts/,
      );
      expect(namingProblem(write('network-client.ts', 'export class NetworkClient {}\n'))).toMatch(
        /NetworkClient.ts/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees an export nothing uses', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kzoo-unused-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'a.ts'),
        'export const used = 1;\nexport function unused(): void {}\nexport class Alone {}\n',
      );
      fs.writeFileSync(
        path.join(dir, 'b.ts'),
        "import { used } from './a';\nexport const b = used;\n",
      );
      const files = sourceFiles(dir);
      expect(unusedExports(files, files).map((u) => u.split(': ')[1])).toEqual([
        'unused',
        'Alone',
        'b',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees a re-export getter', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kzoo-getters-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), 'export const a = 1;\nexport const b = 2;\n');
      fs.writeFileSync(path.join(dir, 'star.ts'), "export * from './a';\n");
      fs.writeFileSync(path.join(dir, 'named.ts'), "export { b } from './a';\n");
      fs.writeFileSync(
        path.join(dir, 'flat.ts'),
        "import * as m from './a';\nexport import a = m.a;\nexport import b = m.b;\n",
      );
      const getters = (name: string) =>
        reexportGetters(path.join(dir, name), require(path.join(dir, name)));
      expect(getters('star.ts')).toEqual(['a', 'b']);
      expect(getters('named.ts')).toEqual(['b']);
      expect(getters('flat.ts')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees a cycle when there is one', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'kzoo-cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a';\nexport const b = a;\n");
      fs.writeFileSync(
        path.join(dir, 'c.ts'),
        "import type { a } from './a';\nexport type C = a;\n",
      );
      expect(findCycle(sourceFiles(dir))).not.toBeNull();
      expect(runtimeImports(path.join(dir, 'c.ts'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
