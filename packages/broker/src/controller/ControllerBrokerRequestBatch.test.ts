import { tpKey } from '@kzoo/common';
import type { BrokerAndEpoch } from '@kzoo/zk';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerChannelManager } from './ControllerChannelManager';
import { ControllerContext } from './ControllerContext';

function broker(id: number): BrokerAndEpoch {
  return {
    epoch: 100 + id,
    broker: {
      id,
      endpoints: [
        {
          listenerName: 'PLAINTEXT',
          host: `h${id}`,
          port: 9000 + id,
          securityProtocol: 'PLAINTEXT',
        },
      ],
      rack: null,
      jmxPort: -1,
      version: 5,
      features: {},
      timestamp: 0,
      host: `h${id}`,
      port: 9000 + id,
    },
  };
}

describe('broker > controller > ControllerBrokerRequestBatch', () => {
  it('sends per broker LeaderAndIsr, then UpdateMetadata to every live broker, then StopReplica', () => {
    const live = new Map([1, 2, 3].map((id) => [id, broker(id)]));
    const ctx = new ControllerContext(live);
    ctx.partitionAssignments.set('t', new Map([[0, [1, 2]]]));
    ctx.partitionAssignments.set('gone', new Map([[0, [3]]]));
    ctx.partitionLeadershipInfo.set(tpKey('t', 0), {
      leader: 1,
      leaderEpoch: 0,
      isr: [1, 2],
      controllerEpoch: 7,
      zkVersion: 0,
    });
    ctx.partitionLeadershipInfo.set(tpKey('gone', 0), {
      leader: 3,
      leaderEpoch: 4,
      isr: [3],
      controllerEpoch: 7,
      zkVersion: 2,
    });
    ctx.topicsToBeDeleted.add('gone');
    // Request bodies of several APIs, read field by field below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const sent: Array<{ to: number; apiKey: number; body: any }> = [];
    const channel = {
      sendRequest: (to: number, apiKey: number, body: unknown) => sent.push({ to, apiKey, body }),
    } as unknown as ControllerChannelManager;
    const batch = new ControllerBrokerRequestBatch(1, ctx, channel, {}, 'PLAINTEXT');
    batch.addLeaderAndIsrRequestForBrokers([1, 2], { topic: 't', partition: 0 }, true);
    batch.addStopReplicaRequestForBrokers([3], { topic: 'gone', partition: 0 }, true);
    batch.addUpdateMetadataRequestForBrokers([1, 2, 3], [{ topic: 'gone', partition: 0 }]);
    batch.sendRequestsToBrokers(7);

    expect(sent.map((s) => `${s.apiKey}->${s.to}`)).toEqual([
      '4->1',
      '4->2',
      '6->1',
      '6->2',
      '6->3',
      '5->3',
    ]);
    const lai = sent[0].body;
    expect(lai).toMatchObject({ controllerId: 1, controllerEpoch: 7, brokerEpoch: 101 });
    expect(lai.partitionStates[0]).toMatchObject({
      topicName: 't',
      leader: 1,
      isr: [1, 2],
      replicas: [1, 2],
      isNew: true,
    });
    expect(lai.liveLeaders).toEqual([{ brokerId: 1, hostName: 'h1', port: 9001 }]);
    const um = sent[2].body;
    expect(um.liveBrokers.map((b: { id: number }) => b.id)).toEqual([1, 2, 3]);
    const byTopic = Object.fromEntries(
      um.partitionStates.map((p: { topicName: string; leader: number }) => [p.topicName, p.leader]),
    );
    expect(byTopic).toEqual({ t: 1, gone: -2 }); // LeaderDuringDelete
    expect(sent[5].body.partitions).toEqual([
      { topicName: 'gone', partitionIndex: 0, leaderEpoch: -2, deletePartition: true },
    ]);
  });
});
