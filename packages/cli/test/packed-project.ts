/**
 * A project outside the clone that installs the packed workspaces (shared by the install
 * tests): `npm pack` every workspace into a dir, then a package.json + lockfile that
 * depend on those tarballs (`file:`) and pin every third-party package as the repo's
 * lockfile does, so `npm install --offline` needs no registry (the npm cache `npm ci`
 * filled serves them). Needs `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '..', '..', '..');
const npmEnv = { ...process.env, npm_config_update_notifier: 'false' };

/** `npm pack` every workspace into `dir`. */
export async function packWorkspaces(dir: string): Promise<void> {
  await run('npm', ['pack', '--workspaces', '--pack-destination', dir, '--loglevel=error'], {
    cwd: ROOT,
    env: npmEnv,
    maxBuffer: 64 << 20,
  });
}

/**
 * Writes the project into `dir` (which holds the tarballs) and runs `npm install --offline`.
 * `devPackages`: packages the repo has as dev dependencies (e.g. kafkajs) to install too.
 * `reuseNativeBuilds`: install with --ignore-scripts and copy the native builds (`build/`)
 * the repo's `npm ci` compiled (zstd-napi compiles zstd with node-gyp: minutes on 2 cores),
 * and @kzoo/records' CRC-32C addon.
 */
export async function installProject(
  dir: string,
  opts: { devPackages?: string[]; reuseNativeBuilds?: boolean } = {},
): Promise<void> {
  writeProject(dir, opts.devPackages ?? []);
  const args = ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'];
  if (opts.reuseNativeBuilds) args.push('--ignore-scripts');
  await run('npm', args, { cwd: dir, env: npmEnv, timeout: 400000, maxBuffer: 64 << 20 });
  if (!opts.reuseNativeBuilds) return;
  const repoModules = path.join(ROOT, 'node_modules');
  for (const name of fs.readdirSync(path.join(dir, 'node_modules'))) {
    const built = path.join(repoModules, name, 'build');
    const target = path.join(dir, 'node_modules', name, 'build');
    if (fs.existsSync(path.join(repoModules, name, 'binding.gyp')) && fs.existsSync(built)) {
      if (!fs.existsSync(target)) fs.cpSync(built, target, { recursive: true });
    }
  }
  const addon = path.join('packages', 'records', 'native', 'crc32c.node');
  if (fs.existsSync(path.join(ROOT, addon)))
    fs.cpSync(
      path.join(ROOT, addon),
      path.join(dir, 'node_modules', '@kzoo', 'records', 'native', 'crc32c.node'),
    );
}

interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  dev?: boolean;
  license?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  hasInstallScript?: boolean;
}

/**
 * package.json and package-lock.json of a project depending on the tarballs in `dir`:
 * the workspaces' tarballs as `file:` entries, every third-party package as the repo's
 * lockfile pins it (its runtime entries only, plus `devPackages` and what they need), so
 * `npm install --offline` needs no registry.
 */
function writeProject(dir: string, devPackages: string[]): void {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const workspaces = Object.entries(lock.packages).filter(
    ([k]) => /^packages\/[^/]+$/.test(k) && k !== '',
  );
  const nameOf = new Map(workspaces.map(([k, v]) => [k, v.name!]));
  const packages: Record<string, LockEntry> = {};
  // the dev packages asked for, and what they depend on (top-level entries)
  const wanted = new Set<string>();
  const want = (name: string) => {
    if (wanted.has(name)) return;
    const e = lock.packages[`node_modules/${name}`];
    if (!e) throw new Error(`${name} is not in the repo's package-lock.json`);
    wanted.add(name);
    for (const d of Object.keys(e.dependencies ?? {})) want(d);
  };
  for (const name of devPackages) want(name);
  const dependencies: Record<string, string> = {};
  for (const name of devPackages)
    dependencies[name] = lock.packages[`node_modules/${name}`].version!;
  for (const [k, v] of Object.entries(lock.packages)) {
    if (k === '' || v.link || /^packages\/[^/]+$/.test(k)) continue;
    if (v.dev && !wanted.has(k.replace(/^node_modules\//, ''))) continue;
    const nested = /^(packages\/[^/]+)(\/node_modules\/.+)$/.exec(k);
    const { dev: _dev, ...entry } = v;
    packages[nested ? `node_modules/${nameOf.get(nested[1])}${nested[2]}` : k] = entry;
  }
  for (const [, v] of workspaces) {
    const file = `${v.name!.slice(1).replace('/', '-')}-${v.version}.tgz`;
    if (!fs.existsSync(path.join(dir, file))) throw new Error(`${file} was not packed into ${dir}`);
    dependencies[v.name!] = `file:${file}`;
    packages[`node_modules/${v.name}`] = {
      version: v.version,
      resolved: `file:${file}`,
      license: v.license,
      ...(v.dependencies ? { dependencies: v.dependencies } : {}),
      ...(v.bin ? { bin: v.bin } : {}),
      ...(v.engines ? { engines: v.engines } : {}),
      // @kzoo/records builds its CRC-32C addon at install
      ...(v.hasInstallScript ? { hasInstallScript: true } : {}),
    } as LockEntry;
  }
  const pkg = { name: 'kzoo-install-test', version: '1.0.0', private: true, dependencies };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify({
      ...pkg,
      lockfileVersion: 3,
      requires: true,
      packages: { '': pkg, ...packages },
    }),
  );
}
