import { ErrorCode } from '@kzoo/common';
import { fetchErrorLevel } from './ReplicaFetcherThread';

describe('Broker > ReplicaFetcherThread > the level of a partition fetch error (as Kafka logs it)', () => {
  it('leadership moving is DEBUG, an unknown partition WARN, anything else ERROR', () => {
    expect(fetchErrorLevel(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe('debug');
    expect(fetchErrorLevel(ErrorCode.UNKNOWN_LEADER_EPOCH)).toBe('debug');
    expect(fetchErrorLevel(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe('warn');
    expect(fetchErrorLevel(ErrorCode.KAFKA_STORAGE_ERROR)).toBe('error');
    expect(fetchErrorLevel(ErrorCode.CORRUPT_MESSAGE)).toBe('error');
    expect(fetchErrorLevel(ErrorCode.UNKNOWN_SERVER_ERROR)).toBe('error');
  });
});
