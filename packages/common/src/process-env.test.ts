import * as fs from 'node:fs';
import * as path from 'node:path';
import { KZOO_GLIBC_TUNABLES, nodeProcessEnv } from './process-env';

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
