import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockTime } from '@kzoo/common';
import { parseStateChangeLine, StateChangeLogTailer, type StateChangeLine } from './StateChangeLog';

describe('ui > state-change log', () => {
  it('parses the state.change lines of a broker log, text and JSON, and nothing else', () => {
    expect(
      parseStateChangeLine(
        '2026-12-04T21:07:39.510Z INFO  [state.change] shrinking ISR partition=t-0 from=1,2,3 to=1,3',
      ),
    ).toEqual({
      timeMs: Date.parse('2026-12-04T21:07:39.510Z'),
      level: 'INFO',
      text: 'shrinking ISR partition=t-0 from=1,2,3 to=1,3',
    });
    expect(
      parseStateChangeLine('2026-12-04T21:07:39.510Z INFO  [replica.manager] started broker=1'),
    ).toBeNull();
    expect(
      parseStateChangeLine(
        JSON.stringify({
          time: '2026-12-04T21:07:39.510Z',
          level: 'warn',
          ns: 'state.change',
          msg: 'x',
        }),
      ),
    ).toEqual({ timeMs: Date.parse('2026-12-04T21:07:39.510Z'), level: 'WARN', text: 'x' });
    expect(parseStateChangeLine('{"ns":"network","msg":"x"}')).toBeNull();
    expect(parseStateChangeLine('{not json')).toBeNull();
  });

  it('follows each file from its end, whole lines only, on the mock clock', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-ui-log-'));
    try {
      const file = path.join(dir, 'broker-1.log');
      fs.writeFileSync(file, '2026-12-04T21:00:00.000Z INFO  [state.change] old line\n');
      const time = new MockTime();
      const seen: Array<[number, StateChangeLine]> = [];
      const t = new StateChangeLogTailer(
        () => [{ brokerId: 1, file }],
        (id, l) => seen.push([id, l]),
        time,
        250,
      );
      t.start();
      fs.appendFileSync(
        file,
        '2026-12-04T21:00:01.000Z INFO  [network] not this one\n' +
          '2026-12-04T21:00:02.000Z INFO  [state.change] new leader 2\n' +
          '2026-12-04T21:00:03.000Z INFO  [state.change] half a li',
      );
      time.tick(249);
      expect(seen).toEqual([]);
      time.tick(1);
      expect(seen.map(([id, l]) => `${id}:${l.text}`)).toEqual(['1:new leader 2']);
      fs.appendFileSync(file, 'ne\n');
      time.tick(250);
      expect(seen.map(([, l]) => l.text)).toEqual(['new leader 2', 'half a line']);
      t.stop();
      fs.appendFileSync(file, '2026-12-04T21:00:04.000Z INFO  [state.change] after stop\n');
      time.tick(1000);
      expect(seen).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
