import { MockTime, parseProperties } from './index';

describe('common > MockTime', () => {
  it('wakes sleepers only when the clock passes their deadline', async () => {
    const time = new MockTime(0);
    const woke: number[] = [];
    void time.sleep(100).then(() => woke.push(100));
    void time.sleep(50).then(() => woke.push(50));
    time.tick(60);
    await Promise.resolve();
    expect(woke).toEqual([50]);
    time.tick(40);
    await Promise.resolve();
    expect(woke).toEqual([50, 100]);
    expect(time.milliseconds()).toBe(100);
  });
});

describe('common > parseProperties', () => {
  it('reads Kafka server.properties syntax', () => {
    const p = parseProperties(
      '# c\nbroker.id=1\nlisteners = PLAINTEXT://127.0.0.1:9092\n! x\nlog.dirs: /a,\\\n  /b\n',
    );
    expect(p).toEqual({
      'broker.id': '1',
      listeners: 'PLAINTEXT://127.0.0.1:9092',
      'log.dirs': '/a,/b',
    });
  });
  it('refuses a line without a key', () => {
    expect(() => parseProperties('=x')).toThrow(/line 1/);
  });
});
