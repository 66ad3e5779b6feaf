/**
 * Requests from this broker's transaction coordinator to other brokers (Kafka's
 * TransactionMarkerChannelManager network client): one native-protocol connection per
 * peer, dialled on the inter-broker listener (through `kzoo.inter.broker.address.overrides`),
 * reopened after a failure. Used for WriteTxnMarkers and for forwarding TxnOffsetCommit
 * to the coordinator of a transactional id.
 */
import type { Logger } from '@kzoo/common';
import { KafkaError } from '@kzoo/common';
import { Connection, type ApiKey, type RequestOf, type ResponseOf } from '@kzoo/protocol';
import type { MetadataCache } from '../../server/MetadataCache';
import { registeredPeerAddress, type PeerAddressResolver } from '../../network/peer-address';

export class InterBrokerChannel {
  private readonly conns = new Map<number, Promise<Connection>>();
  private closed = false;

  constructor(
    private readonly opts: {
      brokerId: number;
      metadataCache: MetadataCache;
      listenerName: string;
      address?: PeerAddressResolver;
      requestTimeoutMs: number;
      logger: Logger;
    },
  ) {}

  private connect(brokerId: number): Promise<Connection> {
    const existing = this.conns.get(brokerId);
    if (existing) return existing;
    const b = this.opts.metadataCache.aliveBroker(brokerId);
    const ep = b?.endpoints.find((e) => e.listener === this.opts.listenerName) ?? b?.endpoints[0];
    if (!ep)
      return Promise.reject(
        new KafkaError('NETWORK_EXCEPTION', `broker ${brokerId} is not alive or has no endpoint`),
      );
    const addr = (this.opts.address ?? registeredPeerAddress)(brokerId, ep);
    const p = Connection.connect({
      host: addr.host,
      port: addr.port,
      clientId: `broker-${this.opts.brokerId}-txn-coordinator`,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      connectTimeoutMs: this.opts.requestTimeoutMs,
      logger: this.opts.logger,
    });
    this.conns.set(brokerId, p);
    p.catch(() => this.conns.delete(brokerId));
    return p;
  }

  async request<K extends ApiKey>(
    brokerId: number,
    apiKey: K,
    body: RequestOf<K>,
  ): Promise<ResponseOf<K>> {
    if (this.closed) throw new KafkaError('NETWORK_EXCEPTION', 'the channel is closed');
    const conn = await this.connect(brokerId);
    if (conn.closed) {
      this.conns.delete(brokerId);
      return this.request(brokerId, apiKey, body);
    }
    try {
      return await conn.request(apiKey, 0, body);
    } catch (e) {
      if (conn.closed) this.conns.delete(brokerId);
      throw e;
    }
  }

  close(): void {
    this.closed = true;
    for (const p of this.conns.values())
      p.then(
        (c) => void c.close(),
        () => undefined,
      );
    this.conns.clear();
  }
}
