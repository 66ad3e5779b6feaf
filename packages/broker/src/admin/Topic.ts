/**
 * Kafka's topic-name rules (`org.apache.kafka.common.internals.Topic`): ASCII
 * alphanumerics, '.', '_' and '-'; not empty, not '.' or '..'; at most 249 characters.
 * '.' and '_' collide (metric names): `a.b` and `a_b` cannot both exist.
 */
import { KafkaError } from '@kzoo/common';

export const MAX_TOPIC_NAME_LENGTH = 249;
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';
const INTERNAL_TOPICS = new Set([GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME]);

/** Why `name` is not a legal topic name, or null when it is. */
export function detectInvalidTopic(name: string): string | null {
  if (name.length === 0) return 'the empty string is not allowed';
  if (name === '.') return "'.' is not allowed";
  if (name === '..') return "'..' is not allowed";
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    return `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name))
    return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** Throws INVALID_TOPIC_EXCEPTION naming the rule broken (Kafka's `Topic.validate`). */
export function validateTopicName(name: string): void {
  const why = detectInvalidTopic(name);
  if (why !== null)
    throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic name is invalid: ${why}`);
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

export function hasCollisionChars(name: string): boolean {
  return name.includes('_') || name.includes('.');
}

export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_');
}

export function hasCollision(a: string, b: string): boolean {
  return unifyCollisionChars(a) === unifyCollisionChars(b);
}
