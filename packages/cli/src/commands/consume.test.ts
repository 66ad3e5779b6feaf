import { formatRecord, formatterOptions } from './consume';

const rec = {
  topic: 't',
  partition: 2,
  offset: 41,
  timestamp: 1700000000000,
  key: Buffer.from('k1'),
  value: Buffer.from('hello'),
  headers: [
    { key: 'h1', value: Buffer.from('v1') },
    { key: 'h2', value: null },
  ],
};

const base = { json: false, 'print-key': false, 'print-offset': false, 'key-separator': '\t' };

describe('cli > consume > formatRecord (kafka-console-consumer --property)', () => {
  it('prints fields in DefaultMessageFormatter order with key.separator between them', () => {
    const opts = formatterOptions({
      ...base,
      property: [
        'print.timestamp=true',
        'print.partition=true',
        'print.offset=true',
        'print.headers=true',
        'print.key=true',
        'key.separator=:',
      ],
    });
    expect(formatRecord(rec, opts)).toBe(
      'CreateTime:1700000000000:Partition:2:Offset:41:h1:v1,h2:null:k1:hello',
    );
  });

  it('the value alone by default; NO_HEADERS; print.value=false; null.literal', () => {
    expect(formatRecord(rec, formatterOptions({ ...base }))).toBe('hello');
    expect(
      formatRecord(
        { ...rec, headers: [], key: null },
        formatterOptions({
          ...base,
          property: ['print.headers=true', 'print.key=true', 'null.literal=<null>'],
        }),
      ),
    ).toBe('NO_HEADERS\t<null>\thello');
    expect(
      formatRecord(
        rec,
        formatterOptions({ ...base, property: ['print.key=true', 'print.value=false'] }),
      ),
    ).toBe('k1');
  });

  it('the kzoo flags are the same properties (--print-key, --print-offset, --key-separator)', () => {
    const opts = formatterOptions({
      ...base,
      'print-key': true,
      'print-offset': true,
      'key-separator': '|',
    });
    expect(formatRecord(rec, opts)).toBe('Partition:2|Offset:41|k1|hello');
  });

  it('refuses a property that is not key=value', () => {
    expect(() => formatterOptions({ ...base, property: ['print.key'] })).toThrow(
      '--property expects key=value, got "print.key"',
    );
  });
});
