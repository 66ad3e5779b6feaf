import { Logger, setLogLevel, setLogSink } from './Logger';
import { RepeatedWarning } from './RepeatedWarning';
import { MockTime } from './time';

describe('common > RepeatedWarning', () => {
  afterEach(() => {
    setLogSink((line) => process.stderr.write(line + '\n'));
    setLogLevel('warn');
  });

  it('one WARN per failure, again after repeatMs with the count; a new failure or a reset warns at once', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    setLogLevel('warn');
    const time = new MockTime();
    const w = new RepeatedWarning(new Logger('test'), time, 30000);
    const warns = () => lines.filter((l) => / WARN /.test(l));
    w.warn('fetch failed', 'ECONNREFUSED', { broker: 2 });
    for (let i = 0; i < 50; i++) {
      time.tick(100);
      w.warn('fetch failed', 'ECONNREFUSED', { broker: 2 });
    }
    expect(warns()).toHaveLength(1);
    expect(warns()[0]).toMatch(/fetch failed broker=2 error=ECONNREFUSED$/);
    time.tick(30000);
    w.warn('fetch failed', 'ECONNREFUSED', { broker: 2 });
    expect(warns()).toHaveLength(2);
    expect(warns()[1]).toMatch(/failuresSinceLastWarning=50$/);
    w.warn('fetch failed', 'ENOTFOUND');
    expect(warns()).toHaveLength(3);
    w.reset();
    w.warn('fetch failed', 'ENOTFOUND');
    expect(warns()).toHaveLength(4);
    expect(warns()[3]).not.toMatch(/failuresSinceLastWarning/);
  });
});
