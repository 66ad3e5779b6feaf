// The packed CLI installed outside the clone: `npm pack` every workspace, install the
// tarballs into a temp project (offline: third-party packages come from the npm cache that
// `npm ci` filled, pinned by a lockfile derived from the repo's), then run `kzoo --version`
// and `kzoo cluster up/down` from there. Needs `npx tsc -b` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { crc32cImplementation } from '@kzoo/records';
import { installProject, packWorkspaces, run } from './packed-project';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cli > installed from npm pack tarballs (processes)', () => {
  it('npm pack every workspace, npm install --offline in a temp dir, kzoo --version and cluster up/down from there', async () => {
    const dir = makeTempDir('kzoo-install-');
    const pids = new Set<number>();
    onCleanup(() => {
      for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
      removeDir(dir);
    });
    await packWorkspaces(dir);
    // what a tarball holds: compiled JS and types, no tests, no sources
    const { stdout: files } = await run('tar', ['tzf', path.join(dir, 'kzoo-cli-0.1.0.tgz')]);
    expect(files).toMatch(/package\/dist\/bin\.js/);
    expect(files).toMatch(/package\/dist\/index\.d\.ts/);
    expect(files).not.toMatch(/\.test\.|package\/src\//);

    await installProject(dir);
    // @types/* are build-time only: none is a runtime dependency of ours (zstd-napi, a
    // third-party package, brings @types/node itself)
    for (const p of fs.readdirSync(path.join(dir, 'node_modules', '@kzoo'))) {
      const pkg = JSON.parse(
        fs.readFileSync(path.join(dir, 'node_modules', '@kzoo', p, 'package.json'), 'utf8'),
      );
      expect(Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@types/'))).toEqual(
        [],
      );
    }
    for (const t of ['yargs', 'node-zookeeper-client'])
      expect(fs.existsSync(path.join(dir, 'node_modules', '@types', t))).toBe(false);

    // @kzoo/records' install script built its CRC-32C addon, as bootstrap built the clone's:
    // the installed package uses the same implementation as the clone on this machine
    const crc = await run(
      process.execPath,
      ['-p', "JSON.stringify(require('@kzoo/records').crc32cImplementation)"],
      { cwd: dir },
    );
    expect(JSON.parse(crc.stdout)).toEqual(crc32cImplementation);

    // from outside the clone: the installed bin, its own cluster file
    const kzoo = path.join(dir, 'node_modules', '.bin', 'kzoo');
    const env = {
      ...process.env,
      KZOO_CLUSTER_FILE: path.join(dir, 'cluster', 'cluster.json'),
      KZOO_LOG_LEVEL: 'warn',
    };
    const version = await run(kzoo, ['--version'], { cwd: dir, env });
    expect(version.stdout.trim()).toBe('0.1.0');
    const up = await run(
      kzoo,
      ['cluster', 'up', '--brokers', '1', '--session-timeout-ms', '2000'],
      {
        cwd: dir,
        env,
        timeout: 120000,
      },
    );
    const c = JSON.parse(fs.readFileSync(env.KZOO_CLUSTER_FILE, 'utf8'));
    pids.add(c.zookeeper.pid);
    for (const b of c.brokers) pids.add(b.pid);
    expect(up.stdout).toMatch(/bootstrap servers 127\.0\.0\.1:\d+/);
    // the broker runs the installed code, not the clone's
    expect(fs.readFileSync(`/proc/${c.brokers[0].pid}/cmdline`, 'utf8')).toContain(
      path.join(dir, 'node_modules', '@kzoo', 'cli', 'dist', 'bin.js'),
    );
    const status = await run(kzoo, ['cluster', 'status', '--json'], { cwd: dir, env });
    expect(JSON.parse(status.stdout).brokers).toHaveLength(1);
    const down = await run(kzoo, ['cluster', 'down'], { cwd: dir, env, timeout: 60000 });
    expect(down.stdout).toMatch(/zookeeper \(pid \d+\): stopped/);
    await waitFor('every process gone', () => [...pids].every((p) => !alive(p)), {
      timeoutMs: 15000,
    });
  }, 600000);
});
