import { createLogger, logLinesAtOrAbove, setLogLevel, setLogSink } from './Logger';

describe('common > logLinesAtOrAbove', () => {
  const lines: string[] = [];
  const format = process.env.KZOO_LOG_FORMAT;
  beforeAll(() => {
    setLogSink((l) => lines.push(l));
    setLogLevel('debug');
  });
  afterAll(() => {
    setLogSink((l) => process.stderr.write(l + '\n'));
    setLogLevel('warn');
    if (format === undefined) delete process.env.KZOO_LOG_FORMAT;
    else process.env.KZOO_LOG_FORMAT = format;
  });
  beforeEach(() => (lines.length = 0));

  const logSome = () => {
    const log = createLogger('replica-fetcher', { broker: 2 });
    log.debug('fetching', { partition: 't-0' });
    log.info('truncating', { offset: 5 });
    log.warn('error in the response to a replica fetch; backing off', { error: 'X' });
    log.error('fetch error for a partition; backing off', { partition: 't-1' });
  };

  it('picks the WARN and ERROR lines of the text format out of other output', () => {
    delete process.env.KZOO_LOG_FORMAT;
    logSome();
    const text = ['kzoo broker 2 listening on 127.0.0.1:9092', ...lines, ''].join('\n');
    const found = logLinesAtOrAbove(text, 'warn');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/WARN +\[replica-fetcher\] error in the response/);
    expect(found[1]).toMatch(/ERROR \[replica-fetcher\] fetch error for a partition/);
    expect(logLinesAtOrAbove(text, 'info')).toHaveLength(3);
    expect(logLinesAtOrAbove(text, 'error')).toHaveLength(1);
  });

  it('reads the JSON format too, and skips lines that only look like it', () => {
    process.env.KZOO_LOG_FORMAT = 'json';
    logSome();
    const text = [...lines, '{"not json', '{"level":"loud"}'].join('\n');
    expect(logLinesAtOrAbove(text, 'warn').map((l) => JSON.parse(l).level)).toEqual([
      'warn',
      'error',
    ]);
  });
});
