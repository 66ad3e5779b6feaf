// network: the broker's socket layer.
//   SocketServer.ts   SocketServer (listen, frame, pipeline, order, back-pressure, idle, shutdown)
//   wire.ts           wire codecs: kzoo's native protocol and Kafka's, one per listener
//   RequestTimes.ts   how long a request keeps the event loop (request quotas, KIP-124)
//   index.ts          this entry; the broker's src/index.ts re-exports it
import * as socketServer from './SocketServer';
import * as requestTimes from './RequestTimes';
import * as wire from './wire';

export type {
  SocketServerOptions,
  RequestHandler,
  RequestContext,
  ConnectionStats,
} from './SocketServer';
export import SocketServer = socketServer.SocketServer;

export import RequestTimes = requestTimes.RequestTimes;

export type { WireCodec, WireProtocol } from './wire';
export import nativeCodec = wire.nativeCodec;
export import kafkaCodec = wire.kafkaCodec;
export import isNativeRequest = wire.isNativeRequest;
