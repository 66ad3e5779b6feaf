import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogSegment } from './LogSegment';
import { TransactionIndex } from './TransactionIndex';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-txnindex-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const txn = (producerId: number, firstOffset: number, lastOffset: number) => ({
  producerId,
  firstOffset,
  lastOffset,
  lastStableOffset: lastOffset + 1,
});

/** The files fsynced during `fn`: every fsync, synchronous or on the pool, by file name. */
async function fsyncedFiles(fn: () => unknown): Promise<string[]> {
  const nodeFs = jest.requireActual<typeof fs>('node:fs');
  const names = new Map<number, string>();
  const realOpenSync = nodeFs.openSync.bind(nodeFs) as (...a: unknown[]) => number;
  const openSync = jest.spyOn(nodeFs, 'openSync').mockImplementation(((
    p: fs.PathLike,
    ...rest: unknown[]
  ) => {
    const fd = realOpenSync(p, ...rest);
    names.set(fd, path.basename(String(p)));
    return fd;
  }) as typeof fs.openSync);
  const synced: string[] = [];
  const fsyncSync = jest.spyOn(nodeFs, 'fsyncSync');
  const open = jest.spyOn(nodeFs.promises, 'open');
  try {
    await fn();
    for (const [fd] of fsyncSync.mock.calls) synced.push(names.get(fd) ?? `fd ${fd}`);
    for (const [p] of open.mock.calls) synced.push(`async:${path.basename(String(p))}`);
  } finally {
    openSync.mockRestore();
    fsyncSync.mockRestore();
    open.mockRestore();
  }
  return synced;
}

describe('TransactionIndex durability (fsynced with its segment, as Kafka)', () => {
  test('flush fsyncs the file only when written since the last flush', async () => {
    const idx = new TransactionIndex(path.join(root, `t${n++}.txnindex`));
    expect(await fsyncedFiles(() => idx.flush())).toEqual([]); // never written: no file
    idx.append(txn(7, 0, 4));
    const name = path.basename(idx.file);
    expect(await fsyncedFiles(() => idx.flush())).toEqual([name]);
    expect(await fsyncedFiles(() => idx.flush())).toEqual([]);
    idx.append(txn(8, 5, 9));
    idx.truncateTo(5); // rewritten through a temp file
    expect(await fsyncedFiles(() => idx.flushAsync())).toEqual([`async:${name}`]);
    expect(await fsyncedFiles(() => idx.flushAsync())).toEqual([]);
    idx.truncateTo(0); // emptied: the file is removed, nothing to fsync
    expect(await fsyncedFiles(() => idx.flush())).toEqual([]);
    expect(fs.existsSync(idx.file)).toBe(false);
    const reloaded = new TransactionIndex(idx.file);
    reloaded.load();
    expect(reloaded.size).toBe(0);
  });

  test("a segment's flush and flushAsync include its txn index", async () => {
    const dir = path.join(root, `seg${n++}`);
    fs.mkdirSync(dir);
    const seg = LogSegment.create(dir, 0, {
      segmentIndexBytes: 10 * 1024 * 1024,
      indexIntervalBytes: 4096,
      now: 0,
    });
    try {
      seg.flush();
      seg.txnIndex.append(txn(3, 0, 1));
      expect(await fsyncedFiles(() => seg.flush())).toContain('00000000000000000000.txnindex');
      seg.txnIndex.append(txn(3, 2, 3));
      expect(await fsyncedFiles(() => seg.flushAsync())).toContain(
        'async:00000000000000000000.txnindex',
      );
      expect(await fsyncedFiles(() => seg.flushAsync())).not.toContain(
        'async:00000000000000000000.txnindex',
      );
    } finally {
      seg.close();
    }
  });
});
