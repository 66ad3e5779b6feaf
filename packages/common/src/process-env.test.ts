import * as fs from 'node:fs';
import * as path from 'node:path';
import { kzooNodeArgs, KZOO_NODE_FLAGS, KZOO_GLIBC_TUNABLES, nodeProcessEnv } from './process-env';

describe('common > nodeProcessEnv', () => {
  test("adds kzoo's GLIBC_TUNABLES and keeps everything else", () => {
    const env = nodeProcessEnv({ PATH: '/bin', KZOO_LOG_LEVEL: 'warn' });
    expect(env).toEqual({
      PATH: '/bin',
      KZOO_LOG_LEVEL: 'warn',
      GLIBC_TUNABLES: KZOO_GLIBC_TUNABLES,
    });
  });

  test("leaves a GLIBC_TUNABLES of the user's alone, even an empty one", () => {
    expect(nodeProcessEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      'glibc.malloc.arena_max=2',
    );
    expect(nodeProcessEnv({ GLIBC_TUNABLES: '' }).GLIBC_TUNABLES).toBe('');
  });

  test('does not change the environment it was given', () => {
    const given = { A: '1' };
    nodeProcessEnv(given);
    expect(given).toEqual({ A: '1' });
  });

  test('the image sets the same value for its broker and CLI processes', () => {
    const dockerfile = fs.readFileSync(
      path.join(__dirname, '..', '..', '..', 'Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toContain(`GLIBC_TUNABLES=${KZOO_GLIBC_TUNABLES}`);
  });
});

describe('common > kzooNodeArgs', () => {
  test("kzoo's broker flags by default: V8's GC on the broker's own thread", () => {
    expect(kzooNodeArgs({})).toEqual(['--single-threaded-gc']);
    expect(KZOO_NODE_FLAGS).toEqual(['--single-threaded-gc']);
  });

  test('KZOO_NODE_FLAGS replaces them; empty means none', () => {
    expect(kzooNodeArgs({ KZOO_NODE_FLAGS: ' --max-semi-space-size=32  --no-opt ' })).toEqual([
      '--max-semi-space-size=32',
      '--no-opt',
    ]);
    expect(kzooNodeArgs({ KZOO_NODE_FLAGS: '' })).toEqual([]);
  });

  test('refuses what is not a node flag, naming it', () => {
    expect(() => kzooNodeArgs({ KZOO_NODE_FLAGS: '--single-threaded-gc rm' })).toThrow(
      "KZOO_NODE_FLAGS must be node flags separated by spaces (like --single-threaded-gc), got 'rm'",
    );
    expect(() => kzooNodeArgs({ KZOO_NODE_FLAGS: '-e' })).toThrow(/got '-e'/);
  });

  test('a copy each time: a caller cannot change the default', () => {
    kzooNodeArgs({}).push('--jitless');
    expect(kzooNodeArgs({})).toEqual(['--single-threaded-gc']);
  });

  test("the compose file's brokers run with the same flags", () => {
    const compose = fs.readFileSync(
      path.join(__dirname, '..', '..', '..', 'docker-compose.yml'),
      'utf8',
    );
    const entry = /^ {2}entrypoint: (\[.*\])$/m.exec(compose);
    expect(entry).not.toBeNull();
    expect(JSON.parse(entry![1].replace(/'/g, '"'))).toEqual([
      'node',
      ...KZOO_NODE_FLAGS,
      '/kzoo/packages/cli/dist/bin.js',
    ]);
  });
});
