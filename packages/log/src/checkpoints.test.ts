import { pbkdf2 } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LeaderEpochCheckpointFile, OffsetCheckpointFile } from './checkpoints';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const entry = (offset: number) => [{ topic: 't', partition: 0, offset }];

/**
 * Keeps every thread of libuv's pool busy for a while, so an asynchronous write's first
 * step (opening its temp file) waits in the queue: the window where a synchronous write
 * can come first. Resolves when the pool is free again.
 */
function occupyThreadPool(): Promise<void> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) =>
          pbkdf2('x', 'y', 100_000, 32, 'sha256', (e) => (e ? reject(e) : resolve())),
        ),
    ),
  ).then(() => undefined);
}

describe('log > checkpoints: write order', () => {
  it('a synchronous write made before an asynchronous one has its temp file is not overwritten by the older content', async () => {
    const file = path.join(dir, 'recovery-point-offset-checkpoint');
    // a new instance per write, as LogManager makes them
    const busy = occupyThreadPool();
    const older = new OffsetCheckpointFile(file).writeAsync(entry(1));
    new OffsetCheckpointFile(file).write(entry(2)); // before the async open has even run
    await busy;
    await expect(older).resolves.toBe(false);
    expect(new OffsetCheckpointFile(file).read()).toEqual(entry(2));
    expect(fs.readdirSync(dir)).toEqual(['recovery-point-offset-checkpoint']);
  });

  it('an asynchronous write started after a synchronous one lands', async () => {
    const file = path.join(dir, 'log-start-offset-checkpoint');
    new OffsetCheckpointFile(file).write(entry(1));
    await expect(new OffsetCheckpointFile(file).writeAsync(entry(2))).resolves.toBe(true);
    expect(new OffsetCheckpointFile(file).read()).toEqual(entry(2));
    // and again, once the first is done (nothing left over from it)
    await expect(new OffsetCheckpointFile(file).writeAsync(entry(3))).resolves.toBe(true);
    expect(new OffsetCheckpointFile(file).read()).toEqual(entry(3));
  });

  it('the same for leader-epoch-checkpoint, with its own beforeRename still asked', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const busy = occupyThreadPool();
    const older = new LeaderEpochCheckpointFile(file).writeAsync([{ epoch: 1, startOffset: 0 }]);
    new LeaderEpochCheckpointFile(file).write([{ epoch: 2, startOffset: 5 }]);
    await busy;
    await expect(older).resolves.toBe(false);
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([{ epoch: 2, startOffset: 5 }]);
    const refused = new LeaderEpochCheckpointFile(file).writeAsync(
      [{ epoch: 3, startOffset: 9 }],
      () => false,
    );
    await expect(refused).resolves.toBe(false);
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([{ epoch: 2, startOffset: 5 }]);
  });
});
