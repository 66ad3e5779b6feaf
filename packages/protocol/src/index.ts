// protocol: kzoo's native wire protocol (framing, msgpackr bodies, one file per API).
//   frame.ts, codec.ts, messages.ts, schema.ts, api.ts  framing, body codec, headers, validation
//   apis/  one file per API (Kafka key + name); Connection.ts  client side of a socket
export * from './frame';
export { encodeBody, decodeBody, BodyDecodeError } from './codec';
export * from './schema';
export * from './api';
export * from './apis';
export * from './messages';
export { SPLIT_BYTES, encodeSegments, segmentsLength } from './segments';
export * from './Connection';
export * from './kafka';
export {
  ErrorCode,
  KafkaError,
  errorDef,
  isRetriable,
  ERRORS_BY_CODE,
  ERRORS_BY_NAME,
  type ErrorDef,
  type ErrorName,
} from '@kzoo/common';
