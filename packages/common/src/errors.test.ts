import { ErrorCode, KafkaError, errorDef, isRetriable } from './index';

describe('common > errors', () => {
  it('uses Kafka numbers for the codes the protocol relies on', () => {
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.REQUEST_TIMED_OUT).toBe(7);
    expect(ErrorCode.MESSAGE_TOO_LARGE).toBe(10);
    expect(ErrorCode.NOT_ENOUGH_REPLICAS).toBe(19);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.FENCED_LEADER_EPOCH).toBe(74);
  });

  it('carries name, code and retriable on KafkaError', () => {
    const e = new KafkaError('NOT_LEADER_OR_FOLLOWER', 'partition t-0');
    expect(e.code).toBe(6);
    expect(e.message).toBe('NOT_LEADER_OR_FOLLOWER: partition t-0');
    expect(isRetriable(e)).toBe(true);
    expect(isRetriable(new KafkaError(10))).toBe(false);
    expect(isRetriable(new Error('x'))).toBe(false);
  });

  it('names unknown codes instead of throwing', () => {
    expect(errorDef(9999).name).toBe('UNKNOWN_ERROR_CODE_9999');
  });
});
