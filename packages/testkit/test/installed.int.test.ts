/**
 * @kzoo/testkit used from outside the repository: every workspace packed (`npm pack`),
 * installed offline into a temp project with kafkajs, and the README's examples run
 * there with node's test runner — a kafkajs producer with retries across a SIGKILLed
 * leader (process mode), and kzoo's client through @kzoo/testkit/node-test. The
 * examples start their own ZooKeeper (the jar found from the installed package).
 * Needs `npx tsc -b` first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { installProject, packWorkspaces, run } from '../../cli/test/packed-project';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

describe('testkit > installed from npm pack tarballs, with kafkajs', () => {
  it('runs the README examples (kafkajs failover, kzoo client) in a temp project', async () => {
    const dir = makeTempDir('kzoo-testkit-install-');
    onCleanup(() => removeDir(dir));
    await packWorkspaces(dir);
    const { stdout: files } = await run('tar', ['tzf', path.join(dir, 'kzoo-testkit-0.1.0.tgz')]);
    for (const f of [
      'dist/index.d.ts',
      'dist/cluster/broker-main.js',
      'dist/jest/index.js',
      'dist/node-test/index.js',
    ])
      expect(files).toContain(`package/${f}`);
    await installProject(dir, { devPackages: ['kafkajs'], reuseNativeBuilds: true });
    for (const f of fs.readdirSync(EXAMPLES))
      fs.copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));

    // the exports and types resolve from the installed package
    const resolved = await run(
      process.execPath,
      [
        '-e',
        "for (const e of ['@kzoo/testkit', '@kzoo/testkit/jest', '@kzoo/testkit/node-test']) console.log(require.resolve(e));",
      ],
      { cwd: dir },
    );
    expect(resolved.stdout.trim().split('\n')).toEqual([
      path.join(dir, 'node_modules/@kzoo/testkit/dist/index.js'),
      path.join(dir, 'node_modules/@kzoo/testkit/dist/jest/index.js'),
      path.join(dir, 'node_modules/@kzoo/testkit/dist/node-test/index.js'),
    ]);

    const env: NodeJS.ProcessEnv = { ...process.env, KZOO_LOG_LEVEL: 'error' };
    delete env.KZOO_TEST_ZK; // as outside this repo: each file starts its own ZooKeeper
    delete env.JEST_WORKER_ID;
    const result = await run(
      process.execPath,
      ['--test', '--test-reporter=spec', 'kafkajs-failover.test.js', 'kzoo-client.test.js'],
      { cwd: dir, env, timeout: 150000, maxBuffer: 16 << 20 },
    ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the examples failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
    });
    expect(result.stdout).toMatch(/✔ every acknowledged record is consumed exactly once/);
    expect(result.stdout).toMatch(/✔ a controlled shutdown of the leader loses nothing/);
    expect(result.stdout).toMatch(/ℹ fail 0/);
  }, 300000);
});
