import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loopbackRoundTrip, syscallCostUs } from '../src/bench/limits';

const children = () =>
  fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();

describe('cli > bench limits > loopbackRoundTrip', () => {
  it('times round trips with a child process and counts the CPU of both ends, then leaves no child', async () => {
    const before = children();
    const small = await loopbackRoundTrip(100, 1000, 200);
    const big = await loopbackRoundTrip(32 * 1024, 1000, 200);
    for (const r of [small, big]) {
      expect(r.wallUs).toBeGreaterThan(0);
      expect(r.wallUs).toBeLessThan(100_000);
      // /proc ticks are 10 ms: 1,000 round trips cost at least that in CPU on any machine.
      expect(r.cpuUs).toBeGreaterThan(0);
      // Both ends' CPU: at most the wall time of two busy processes.
      expect(r.cpuUs).toBeLessThan(2 * r.wallUs + 20);
    }
    expect(children()).toBe(before);
  });
});

describe('cli > bench limits > syscallCostUs', () => {
  it('times 1-byte reads at the end of a file and leaves the directory as it found it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-syscall-'));
    try {
      const us = syscallCostUs(dir, 20000);
      // A system call from node costs 0.1-2 µs on any machine; well below a millisecond.
      expect(us).toBeGreaterThan(0);
      expect(us).toBeLessThan(1000);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
