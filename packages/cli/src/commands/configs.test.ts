import type { ConfigEntry } from '@kzoo/client';
import { formatConfigs, parseAddConfig } from './configs';

describe('cli > configs', () => {
  it('parses --add-config like kafka-configs, brackets keeping list commas', () => {
    expect(parseAddConfig('retention.ms=1000, cleanup.policy=[compact,delete],x=a=b')).toEqual({
      'retention.ms': '1000',
      'cleanup.policy': 'compact,delete',
      x: 'a=b',
    });
    expect(() => parseAddConfig('retention.ms')).toThrow(/k=v/);
    expect(() => parseAddConfig('a=[b,c')).toThrow(/unbalanced/);
  });

  it('prints the overrides only, or everything with --all, in Kafka’s layout', () => {
    const configs = [
      {
        name: 'retention.ms',
        value: '1000',
        source: 'DYNAMIC_TOPIC_CONFIG' as const,
        isDefault: false,
        isReadOnly: false,
        isSensitive: false,
        synonyms: [
          { name: 'retention.ms', value: '1000', source: 'DYNAMIC_TOPIC_CONFIG' as const },
          { name: 'log.retention.ms', value: '5', source: 'STATIC_BROKER_CONFIG' as const },
        ],
        type: 'LONG',
        documentation: null,
      },
      {
        name: 'segment.bytes',
        value: '1073741824',
        source: 'DEFAULT_CONFIG' as const,
        isDefault: true,
        isReadOnly: false,
        isSensitive: false,
        synonyms: [],
        type: 'INT',
        documentation: null,
      },
    ];
    expect(formatConfigs('topics', 'orders', configs, false)).toBe(
      'Dynamic configs for topic orders are:\n' +
        '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, STATIC_BROKER_CONFIG:log.retention.ms=5}\n',
    );
    expect(formatConfigs('topics', 'orders', configs, true).split('\n')).toEqual([
      'All configs for topic orders are:',
      expect.stringMatching(/^ {2}retention.ms=1000 /),
      '  segment.bytes=1073741824 sensitive=false synonyms={}',
      '',
    ]);
    expect(formatConfigs('brokers', '', [], false)).toBe(
      'Default configs for brokers in the cluster are:\n',
    );
  });

  it('brokers: what is set at the level described (the broker’s own, or the cluster default)', () => {
    const entry = (name: string, value: string, source: ConfigEntry['source']): ConfigEntry => ({
      name,
      value,
      source,
      isDefault: source === 'DEFAULT_CONFIG',
      isReadOnly: false,
      isSensitive: false,
      synonyms: [{ name, value, source }],
      type: 'LONG',
      documentation: null,
    });
    const configs = [
      entry('log.retention.ms', '7000', 'DYNAMIC_BROKER_CONFIG'),
      entry('log.segment.bytes', '1024', 'DYNAMIC_DEFAULT_BROKER_CONFIG'),
      entry('num.partitions', '3', 'STATIC_BROKER_CONFIG'),
    ];
    expect(formatConfigs('brokers', '2', configs, false)).toBe(
      'Dynamic configs for broker 2 are:\n' +
        '  log.retention.ms=7000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=7000}\n',
    );
    expect(formatConfigs('brokers', '', configs, false)).toBe(
      'Default configs for brokers in the cluster are:\n' +
        '  log.segment.bytes=1024 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=1024}\n',
    );
    expect(formatConfigs('brokers', '2', configs, true).split('\n')).toHaveLength(5);
  });
});
