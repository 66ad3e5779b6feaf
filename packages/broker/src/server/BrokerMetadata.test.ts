import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkBrokerMetadata,
  getOrGenerateBrokerId,
  storedBrokerId,
  writeBrokerMetadata,
} from './BrokerMetadata';

describe('broker > BrokerMetadata > broker id', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-meta-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const dirs = (...names: string[]) => names.map((n) => path.join(root, n));
  let generated = 0;
  const generate = async () => 1000 + ++generated;

  it('generates an id when no log dir has meta.properties, then keeps the stored one', async () => {
    const logDirs = dirs('a', 'b');
    generated = 0;
    expect(storedBrokerId(logDirs)).toBeNull();
    const id = await getOrGenerateBrokerId(logDirs, -1, generate);
    expect(id).toBe(1001);
    checkBrokerMetadata(logDirs, id, 'c1');
    expect(fs.readFileSync(path.join(logDirs[1], 'meta.properties'), 'utf8')).toContain(
      'broker.id=1001',
    );
    expect(await getOrGenerateBrokerId(logDirs, -1, generate)).toBe(1001);
    expect(generated).toBe(1);
  });

  it('uses a configured id as is (a mismatch with meta.properties is refused later)', async () => {
    const [a] = dirs('a');
    fs.mkdirSync(a);
    writeBrokerMetadata(a, { brokerId: 1005, clusterId: 'c1' });
    generated = 0;
    expect(await getOrGenerateBrokerId([a], 7, generate)).toBe(7);
    expect(generated).toBe(0);
    expect(() => checkBrokerMetadata([a], 7, 'c1')).toThrow(
      "Configured broker.id 7 doesn't match stored broker.id 1005",
    );
  });

  it('takes the id of the one dir that has meta.properties; refuses dirs that disagree', async () => {
    const [a, b] = dirs('a', 'b');
    fs.mkdirSync(a);
    writeBrokerMetadata(a, { brokerId: 1003, clusterId: 'c1' });
    expect(await getOrGenerateBrokerId([a, b], -1, generate)).toBe(1003);
    fs.mkdirSync(b);
    writeBrokerMetadata(b, { brokerId: 1004, clusterId: 'c1' });
    await expect(getOrGenerateBrokerId([a, b], -1, generate)).rejects.toThrow(
      'BrokerMetadata is not consistent across log.dirs',
    );
  });
});
