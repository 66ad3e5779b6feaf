/**
 * The address a broker dials for a peer's inter-broker endpoint. Normally the one the peer
 * registered; `kzoo.inter.broker.address.overrides` (a kzoo-only testing hook) replaces it
 * per peer, so that a fault-injection harness can route each broker→broker link (replica
 * fetchers, the controller's channel, AlterPartition, controlled shutdown) through its own
 * proxy. Every inter-broker dial resolves its target here.
 */
import { configError } from '@kzoo/common';

export interface HostPort {
  host: string;
  port: number;
}

/** Maps a peer's id and registered inter-broker endpoint to the address to dial. */
export type PeerAddressResolver = (brokerId: number, registered: HostPort) => HostPort;

/** The identity: dial what the peer registered. */
export const registeredPeerAddress: PeerAddressResolver = (_id, registered) => registered;

export const PEER_ADDRESS_OVERRIDES_KEY = 'kzoo.inter.broker.address.overrides';

/** Parses `<brokerId>@host:port,...` (empty: no overrides). */
export function parsePeerAddressOverrides(s: string): Map<number, HostPort> {
  const out = new Map<number, HostPort>();
  for (const entry of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(\d+)@(\[[^\]]+\]|[^:@\s]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port < 1 || port > 65535) {
      throw configError(
        PEER_ADDRESS_OVERRIDES_KEY,
        s,
        `bad entry ${JSON.stringify(entry)}: expected <brokerId>@host:port`,
      );
    }
    const id = Number(m[1]);
    if (out.has(id)) {
      throw configError(PEER_ADDRESS_OVERRIDES_KEY, s, `broker ${id} is listed twice`);
    }
    out.set(id, { host: m[2].replace(/^\[(.*)\]$/, '$1'), port });
  }
  return out;
}

/** A resolver that applies `overrides` (by peer id) and passes every other peer through. */
export function peerAddressResolver(overrides: ReadonlyMap<number, HostPort>): PeerAddressResolver {
  if (overrides.size === 0) return registeredPeerAddress;
  return (id, registered) => overrides.get(id) ?? registered;
}
