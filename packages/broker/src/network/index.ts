// network: the broker's socket layer.
//   SocketServer.ts   SocketServer (listen, frame, pipeline, order, back-pressure, idle, shutdown)
//   wire.ts           wire codecs: kzoo's native protocol and Kafka's, one per listener
//   RequestTimes.ts   how long a request keeps the event loop (request quotas, KIP-124)
//   index.ts          this entry; the broker's src/index.ts re-exports it
export {
  SocketServer,
  type SocketServerOptions,
  type RequestHandler,
  type RequestContext,
  type ConnectionStats,
} from './SocketServer';
export { RequestTimes } from './RequestTimes';
export {
  nativeCodec,
  kafkaCodec,
  isNativeRequest,
  type WireCodec,
  type WireProtocol,
} from './wire';
