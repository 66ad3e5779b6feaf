/**
 * The split of @kzoo/testkit: the runtime entry (`.`: ZooKeeper, startCluster, faults)
 * never loads a runner's helpers (`./jest`, `./node-test`, node:test), and the CLI
 * imports the runtime entry only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = __dirname;

/** Every file reachable from `entry` through relative imports, and its module specifiers. */
function reachable(entry: string): { files: Set<string>; modules: Set<string> } {
  const files = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      const spec = m[1];
      if (!spec.startsWith('.')) {
        modules.add(spec);
        continue;
      }
      const target = path.resolve(path.dirname(file), spec);
      for (const c of [`${target}.ts`, path.join(target, 'index.ts')]) {
        if (fs.existsSync(c)) {
          visit(c);
          break;
        }
      }
    }
  };
  visit(entry);
  return { files, modules };
}

describe('testkit > entries', () => {
  it('the runtime entry reaches neither the jest nor the node:test helpers', () => {
    const { files, modules } = reachable(path.join(src, 'index.ts'));
    const rel = [...files].map((f) => path.relative(src, f));
    expect(rel.filter((f) => f.startsWith('jest') || f.startsWith('node-test'))).toEqual([]);
    expect(modules.has('node:test')).toBe(false);
    expect(rel).toContain(path.join('cluster', 'start-cluster.ts'));
  });

  it('the package exports the three entries, built from these folders', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string } | string>;
    };
    expect(Object.keys(pkg.exports)).toEqual(
      expect.arrayContaining(['.', './jest', './node-test']),
    );
    for (const [key, folder] of [
      ['./jest', 'jest'],
      ['./node-test', 'node-test'],
    ]) {
      expect(pkg.exports[key]).toMatchObject({ default: `./dist/${folder}/index.js` });
      expect(fs.existsSync(path.join(src, folder, 'index.ts'))).toBe(true);
    }
  });

  it('the CLI imports the runtime entry only', () => {
    const cliSrc = path.join(src, '..', '..', 'cli', 'src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
          if (/'@kzoo\/testkit\/[^']*'/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
        }
      }
    };
    walk(cliSrc);
    expect(offenders).toEqual([]);
  });
});
