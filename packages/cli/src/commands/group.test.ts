import {
  formatGroupMembers,
  formatGroupReport,
  formatGroupState,
  formatResetPlan,
  parseDateTime,
  parseDuration,
  parseResetPlan,
  type GroupReport,
} from './group';

describe('CLI > group > describe output', () => {
  const base: GroupReport = {
    group: 'billing',
    state: 'Stable',
    coordinator: 2,
    protocol: 'range',
    members: [
      {
        memberId: 'kzoo-1a2b',
        groupInstanceId: null,
        clientId: 'kzoo',
        host: '/127.0.0.1',
        assignment: [{ topic: 'orders', partition: 0 }],
      },
    ],
    partitions: [
      {
        topic: 'orders',
        partition: 0,
        currentOffset: 42,
        logEndOffset: 50,
        lag: 8,
        consumerId: 'kzoo-1a2b',
        host: '/127.0.0.1',
        clientId: 'kzoo',
      },
      {
        topic: 'orders',
        partition: 1,
        currentOffset: null,
        logEndOffset: 7,
        lag: null,
        consumerId: null,
        host: null,
        clientId: null,
      },
    ],
    totalLag: 8,
  };

  it("prints kafka-consumer-groups' columns, '-' for unknowns, then the total lag", () => {
    const lines = formatGroupReport(base).split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1].split(/ +/)).toEqual([
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ]);
    expect(lines[2].split(/ +/)).toEqual([
      'billing',
      'orders',
      '0',
      '42',
      '50',
      '8',
      'kzoo-1a2b',
      '/127.0.0.1',
      'kzoo',
    ]);
    expect(lines[3].split(/ +/)).toEqual(['billing', 'orders', '1', '-', '7', '-', '-', '-', '-']);
    // columns line up: each header starts where its values start
    const col = lines[1].indexOf('LOG-END-OFFSET');
    expect(lines[2].slice(col, col + 2)).toBe('50');
    expect(lines[lines.length - 1]).toBe('TOTAL-LAG: 8  STATE: Stable  MEMBERS: 1  COORDINATOR: 2');
  });

  it('says so when the group has no active members', () => {
    const text = formatGroupReport({ ...base, state: 'Empty', members: [] });
    expect(text.split('\n')[0]).toBe("Consumer group 'billing' has no active members.");
  });

  it('--members: one row per member with its partition count, as kafka-consumer-groups', () => {
    const lines = formatGroupMembers(base).split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1].split(/ +/)).toEqual([
      'GROUP',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
      '#PARTITIONS',
    ]);
    expect(lines[2].split(/ +/)).toEqual(['billing', 'kzoo-1a2b', '/127.0.0.1', 'kzoo', '1']);
    expect(formatGroupMembers({ ...base, members: [] })).toBe(
      "\nConsumer group 'billing' has no active members.",
    );
  });

  it('--members: a GROUP-INSTANCE-ID column when some member is static, as kafka-consumer-groups', () => {
    const members = [
      { ...base.members[0], memberId: 'app-1-9f8e', groupInstanceId: 'app-1' },
      { ...base.members[0], memberId: 'kzoo-3c4d', assignment: [] },
    ];
    const lines = formatGroupMembers({ ...base, members }).split('\n');
    expect(lines[1].split(/ +/)).toEqual([
      'GROUP',
      'CONSUMER-ID',
      'GROUP-INSTANCE-ID',
      'HOST',
      'CLIENT-ID',
      '#PARTITIONS',
    ]);
    expect(lines[2].split(/ +/)).toEqual([
      'billing',
      'app-1-9f8e',
      'app-1',
      '/127.0.0.1',
      'kzoo',
      '1',
    ]);
    // the dynamic member's instance id cell is empty (Kafka prints an empty string)
    expect(lines[3].split(/ +/)).toEqual(['billing', 'kzoo-3c4d', '/127.0.0.1', 'kzoo', '0']);
  });

  it('--state: coordinator (host:port and id), assignment strategy, state, member count', () => {
    const lines = formatGroupState(base, '127.0.0.1:9093').split('\n');
    expect(lines[1].split(/ {2,}/)).toEqual([
      'GROUP',
      'COORDINATOR (ID)',
      'ASSIGNMENT-STRATEGY',
      'STATE',
      '#MEMBERS',
    ]);
    expect(lines[2].split(/ {2,}| (?=\d+$)/)).toEqual([
      'billing',
      '127.0.0.1:9093 (2)',
      'range',
      'Stable',
      '1',
    ]);
  });
});

describe('CLI > group > reset-offsets time arguments', () => {
  it('--to-datetime: Kafka’s yyyy-MM-ddTHH:mm:ss.SSS, with an optional zone (local without)', () => {
    expect(parseDateTime('2026-01-02T03:04:05.678Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(parseDateTime('2026-01-02T03:04:05.678+02:00')).toBe(Date.UTC(2026, 0, 2, 1, 4, 5, 678));
    expect(parseDateTime('2026-01-02T03:04:05.678')).toBe(
      new Date(2026, 0, 2, 3, 4, 5, 678).getTime(),
    );
    expect(() => parseDateTime('yesterday')).toThrow(
      "Error parsing timestamp 'yesterday': expected yyyy-MM-ddTHH:mm:ss.SSS[Z|+hh:mm]",
    );
  });

  it('--by-duration: an ISO 8601 duration PnDTnHnMn.nS, as java.time.Duration', () => {
    expect(parseDuration('PT1H')).toBe(3600000);
    expect(parseDuration('P1DT2H3M4.5S')).toBe(86400000 + 2 * 3600000 + 3 * 60000 + 4500);
    expect(parseDuration('pt30m')).toBe(1800000);
    expect(() => parseDuration('1h')).toThrow("Error parsing duration '1h'");
    expect(() => parseDuration('P')).toThrow("Error parsing duration 'P'");
  });
});

describe('CLI > group > reset-offsets plan files', () => {
  it('--from-file: topic,partition,offset lines, or group,topic,partition,offset taking this group’s', () => {
    const text = 'orders,0,5\r\n\nbilling,orders,1,7\nother,orders,1,9\n';
    expect(parseResetPlan(text, 'billing')).toEqual([
      { topic: 'orders', partition: 0, offset: 5 },
      { topic: 'orders', partition: 1, offset: 7 },
    ]);
    expect(formatResetPlan(parseResetPlan(text, 'billing'))).toBe('orders,0,5\norders,1,7\n');
    expect(() => parseResetPlan('orders,0\n', 'g')).toThrow(
      '--from-file line 1 ("orders,0"): expected topic,partition,offset or group,topic,partition,offset',
    );
    expect(() => parseResetPlan('orders,0,1\norders,0,-1\n', 'g')).toThrow(
      '--from-file line 2 ("orders,0,-1"): offset "-1" is not a non-negative integer',
    );
    expect(() => parseResetPlan('orders,0,1\norders,0,2\n', 'g')).toThrow('orders-0 appears twice');
    expect(() => parseResetPlan('x,orders,0,1\n', 'g')).toThrow(
      '--from-file has no partitions for group g',
    );
  });
});
