/**
 * The GroupCoordinator unit tests' fixture (GroupCoordinator.test.ts and its static
 * membership tests): a coordinator on the mock clock with an in-memory offset store, and
 * JoinGroup parameters with the tests' session and rebalance timeouts.
 */
import { MockTime } from '@kzoo/common';
import { MockTimer } from '../../server/Timer';
import { GroupCoordinator } from './GroupCoordinator';
import type { GroupConfig } from './GroupConfig';
import type { JoinGroupParams } from './GroupCoordinatorTypes';
import type { GroupProtocol } from './MemberMetadata';
import { InMemoryOffsetStore } from './OffsetStore';

export const SESSION = 1000;
export const REBALANCE = 5000;
export const INITIAL_DELAY = 100;

export interface Fixture {
  timer: MockTimer;
  coord: GroupCoordinator;
  store: InMemoryOffsetStore;
  /** The groups this broker coordinates (null: every group). */
  owns: Set<string> | null;
}

export function setup(config: Partial<GroupConfig> = {}): Fixture {
  const timer = new MockTimer(new MockTime());
  const store = new InMemoryOffsetStore();
  const f: Fixture = { timer, store, owns: null, coord: undefined as unknown as GroupCoordinator };
  f.coord = new GroupCoordinator({
    brokerId: 1,
    offsetStore: store,
    timer,
    isCoordinatorFor: (g) => f.owns === null || f.owns.has(g),
    config: {
      groupMinSessionTimeoutMs: 10,
      groupMaxSessionTimeoutMs: 60000,
      groupInitialRebalanceDelayMs: INITIAL_DELAY,
      ...config,
    },
  });
  f.coord.startup();
  return f;
}

export const proto = (name: string, meta = name): GroupProtocol => ({
  name,
  metadata: Buffer.from(meta),
});

/** A consumer's JoinGroup with the range protocol and the tests' timeouts. */
export function params(
  groupId: string,
  memberId: string,
  over: Partial<JoinGroupParams> = {},
): JoinGroupParams {
  return {
    groupId,
    memberId,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: REBALANCE,
    sessionTimeoutMs: SESSION,
    protocolType: 'consumer',
    protocols: [proto('range')],
    ...over,
  };
}

export const MARK = Symbol('pending');
/** Whether `p` is still pending once the microtasks queued so far have run. */
export async function isPending(p: Promise<unknown>): Promise<boolean> {
  return (await Promise.race([p, Promise.resolve(MARK)])) === MARK;
}
