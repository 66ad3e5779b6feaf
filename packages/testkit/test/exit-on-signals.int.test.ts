/**
 * A script that called `exitOnSignals` (the benches) leaves nothing behind when it is
 * signalled on its own, as `kill PID` or a CI timeout does (Ctrl-C in a terminal signals
 * the whole process group): its tracked children and their own children (a tool under a
 * wrapper such as `/usr/bin/time`) are SIGKILLed and the dirs given to `removeDirAtExit`
 * removed. Runs the compiled testkit: run `npx tsc -b` first.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor, waitForExit } from '@kzoo/testkit';

const dist = path.resolve(__dirname, '../dist');

/** The script: a tracked child (a shell waiting on its own `sleep`), a dir to remove at exit, then it waits. */
const script = `
const tk = require(${JSON.stringify(dist)});
const fs = require('node:fs');
const { spawn } = require('node:child_process');
tk.exitOnSignals('exit-probe');
const child = spawn('sh', ['-c', 'sleep 120 & wait'], { stdio: 'ignore' });
tk.trackChild(child);
const dir = tk.removeDirAtExit(tk.makeTempDir('kzoo-exit-probe-'));
fs.writeFileSync(dir + '/data', 'x');
const kept = tk.removeDirAtExit(tk.makeTempDir('kzoo-exit-probe-kept-'));
tk.removeDir(kept); // removed by the script itself: not the exit hook's any more
console.log(JSON.stringify({ pid: child.pid, dir }));
setInterval(() => {}, 1000);
`;

const alive = (pid: number): boolean => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('testkit > exitOnSignals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    '%s: exits %d, its tracked child killed and its temp dir removed',
    async (signal, code) => {
      const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d));
      p.stderr.on('data', (d: Buffer) => (err += d));
      try {
        const ready = await waitFor(
          'the script to start its child',
          () => (out.includes('\n') ? (JSON.parse(out) as { pid: number; dir: string }) : false),
          { timeoutMs: 20000 },
        );
        const grandchild = await waitFor(
          "the child's own sleep",
          () =>
            Number(fs.readFileSync(`/proc/${ready.pid}/task/${ready.pid}/children`, 'utf8')) ||
            false,
          { timeoutMs: 10000 },
        );
        expect(alive(ready.pid)).toBe(true);
        expect(alive(grandchild)).toBe(true);
        expect(fs.existsSync(path.join(ready.dir, 'data'))).toBe(true);
        p.kill(signal);
        expect(await waitForExit(p)).toBe(code);
        expect(err).toContain(`exit-probe: ${signal}`);
        await waitFor('the tracked child to be gone', () => !alive(ready.pid), {
          timeoutMs: 10000,
        });
        await waitFor("the tracked child's own child to be gone", () => !alive(grandchild), {
          timeoutMs: 10000,
        });
        expect(fs.existsSync(ready.dir)).toBe(false);
      } finally {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }
    },
    30000,
  );
});
