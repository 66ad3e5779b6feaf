/**
 * Black-box checks against kafkajs 2.2.4's own protocol modules (a real Kafka
 * client): the bytes its request encoders produce decode with our decoder to the
 * expected native request (and re-encode to the same bytes), and the responses we
 * encode parse with its response decoders.
 */
import { decodeKafkaRequest, encodeKafkaRequest, encodeKafkaResponse } from '.';

/* eslint-disable @typescript-eslint/no-explicit-any */
const kafkajsRequest = require('kafkajs/src/protocol/request');
const kjs = (api: string): { protocol: (o: { version: number }) => (args?: any) => any } =>
  require(`kafkajs/src/protocol/requests/${api}`);

interface Case {
  api: string;
  key: number;
  versions: [number, number];
  args: (v: number) => unknown;
  expected: (v: number) => Record<string, unknown>;
  response: (v: number) => unknown;
  /** Appears in the JSON of what kafkajs parsed from our response. */
  marker: string;
}

const b = (s: string) => Buffer.from(s);

const cases: Case[] = [
  {
    api: 'produce',
    key: 0,
    versions: [3, 7],
    args: () => ({
      acks: -1,
      timeout: 30000,
      topicData: [
        { topic: 'kz-t', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v' }] }] },
      ],
    }),
    expected: () => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topics: [{ name: 'kz-t', partitions: [{ index: 2 }] }],
    }),
    response: () => ({
      topics: [
        {
          name: 'kz-t',
          partitions: [
            {
              index: 2,
              errorCode: 0,
              baseOffset: 12345,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              errorMessage: null,
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    }),
    marker: '12345',
  },
  {
    api: 'fetch',
    key: 1,
    versions: [4, 11],
    args: () => ({
      replicaId: -1,
      maxWaitTime: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      topics: [
        { topic: 'kz-t', partitions: [{ partition: 0, fetchOffset: '7', maxBytes: 1048576 }] },
      ],
    }),
    expected: (v) => ({
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      topics: [
        {
          topic: 'kz-t',
          partitions: [
            {
              partition: 0,
              fetchOffset: 7,
              partitionMaxBytes: 1048576,
              currentLeaderEpoch: -1,
              logStartOffset: -1,
            },
          ],
        },
      ],
      ...(v >= 0 ? {} : {}),
    }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      responses: [
        {
          topic: 'kz-t',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 99881,
              lastStableOffset: 99881,
              logStartOffset: 0,
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
    }),
    marker: '99881',
  },
  {
    api: 'listOffsets',
    key: 2,
    versions: [1, 3],
    args: () => ({
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ topic: 'kz-t', partitions: [{ partition: 1, timestamp: -2 }] }],
    }),
    expected: (v) => ({
      replicaId: -1,
      isolationLevel: v >= 2 ? 1 : 0,
      topics: [
        {
          name: 'kz-t',
          partitions: [{ partitionIndex: 1, timestamp: -2, currentLeaderEpoch: -1 }],
        },
      ],
    }),
    response: () => ({
      throttleTimeMs: 0,
      topics: [
        {
          name: 'kz-t',
          partitions: [
            { partitionIndex: 1, errorCode: 0, timestamp: -1, offset: 77123, leaderEpoch: 3 },
          ],
        },
      ],
    }),
    marker: '77123',
  },
  {
    api: 'metadata',
    key: 3,
    versions: [0, 6],
    args: () => ({ topics: ['kz-a', 'kz-b'], allowAutoTopicCreation: false }),
    expected: (v) => ({
      topics: [{ name: 'kz-a' }, { name: 'kz-b' }],
      allowAutoTopicCreation: v >= 4 ? false : true,
    }),
    response: () => ({
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'kz-host', port: 9092, rack: null }],
      clusterId: 'kz-cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'kz-a',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 4,
              replicaNodes: [1, 2],
              isrNodes: [1],
              offlineReplicas: [2],
            },
          ],
        },
      ],
    }),
    marker: 'kz-host',
  },
  {
    api: 'offsetCommit',
    key: 8,
    versions: [2, 5],
    args: () => ({
      groupId: 'kz-g',
      groupGenerationId: 3,
      memberId: 'm-1',
      retentionTime: -1,
      topics: [{ topic: 'kz-t', partitions: [{ partition: 0, offset: '42' }] }],
    }),
    expected: () => ({
      groupId: 'kz-g',
      generationId: 3,
      memberId: 'm-1',
      groupInstanceId: null,
      topics: [
        {
          name: 'kz-t',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 42,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    }),
    response: () => ({
      throttleTimeMs: 0,
      topics: [{ name: 'kz-committed', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    }),
    marker: 'kz-committed',
  },
  {
    api: 'offsetFetch',
    key: 9,
    versions: [1, 4],
    args: () => ({
      groupId: 'kz-g',
      topics: [{ topic: 'kz-t', partitions: [{ partition: 0 }, { partition: 3 }] }],
    }),
    expected: () => ({
      groupId: 'kz-g',
      topics: [{ name: 'kz-t', partitionIndexes: [0, 3] }],
      requireStable: false,
    }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          name: 'kz-t',
          partitions: [
            {
              partitionIndex: 3,
              committedOffset: 65432,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: 0,
            },
          ],
        },
      ],
    }),
    marker: '65432',
  },
  {
    api: 'findCoordinator',
    key: 10,
    versions: [0, 2],
    args: () => ({ groupId: 'kz-g', coordinatorType: 0 }),
    expected: () => ({ key: 'kz-g', keyType: 0 }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      nodeId: 2,
      host: 'kz-coord',
      port: 9093,
    }),
    marker: 'kz-coord',
  },
  {
    api: 'joinGroup',
    key: 11,
    versions: [0, 5],
    args: () => ({
      groupId: 'kz-g',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: b('meta') }],
    }),
    expected: (v) => ({
      groupId: 'kz-g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: v === 0 ? 30000 : 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: b('meta') }],
      reason: null,
    }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 5,
      protocolType: 'consumer',
      protocolName: 'RoundRobinAssigner',
      leader: 'kz-leader',
      memberId: 'kz-leader',
      members: [{ memberId: 'kz-leader', groupInstanceId: null, metadata: b('meta') }],
    }),
    marker: 'kz-leader',
  },
  {
    api: 'heartbeat',
    key: 12,
    versions: [0, 3],
    args: () => ({ groupId: 'kz-g', groupGenerationId: 5, memberId: 'm-1' }),
    expected: () => ({ groupId: 'kz-g', generationId: 5, memberId: 'm-1', groupInstanceId: null }),
    response: () => ({ throttleTimeMs: 0, errorCode: 0 }),
    marker: '"errorCode":0',
  },
  {
    api: 'leaveGroup',
    key: 13,
    versions: [0, 3],
    args: () => ({ groupId: 'kz-g', memberId: 'm-1', members: [{ memberId: 'm-1' }] }),
    expected: () => ({
      groupId: 'kz-g',
      members: [{ memberId: 'm-1', groupInstanceId: null, reason: null }],
    }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }],
    }),
    marker: '"errorCode":0',
  },
  {
    api: 'syncGroup',
    key: 14,
    versions: [0, 3],
    args: () => ({
      groupId: 'kz-g',
      generationId: 5,
      memberId: 'm-1',
      groupAssignment: [{ memberId: 'm-1', memberAssignment: b('asg') }],
    }),
    expected: () => ({
      groupId: 'kz-g',
      generationId: 5,
      memberId: 'm-1',
      groupInstanceId: null,
      assignments: [{ memberId: 'm-1', assignment: b('asg') }],
    }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: null,
      protocolName: null,
      assignment: b('kz-assignment'),
    }),
    marker: '"errorCode":0',
  },
  {
    api: 'describeGroups',
    key: 15,
    versions: [0, 2],
    args: () => ({ groupIds: ['kz-g'] }),
    expected: () => ({ groups: ['kz-g'] }),
    response: () => ({
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          groupId: 'kz-g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'kz-proto',
          members: [
            {
              memberId: 'm',
              groupInstanceId: null,
              clientId: 'c',
              clientHost: '/1.2.3.4',
              memberMetadata: b('x'),
              memberAssignment: b('y'),
            },
          ],
        },
      ],
    }),
    marker: 'kz-proto',
  },
  {
    api: 'listGroups',
    key: 16,
    versions: [0, 2],
    args: () => undefined,
    expected: () => ({ statesFilter: [] }),
    response: () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'kz-listed', protocolType: 'consumer', groupState: 'Stable' }],
    }),
    marker: 'kz-listed',
  },
  {
    api: 'saslHandshake',
    key: 17,
    versions: [0, 1],
    args: () => ({ mechanism: 'PLAIN' }),
    expected: () => ({ mechanism: 'PLAIN' }),
    response: () => ({ errorCode: 0, mechanisms: ['PLAIN', 'KZ-MECH'] }),
    marker: 'KZ-MECH',
  },
  {
    api: 'apiVersions',
    key: 18,
    versions: [0, 2],
    args: () => undefined,
    expected: () => ({ clientSoftwareName: null, clientSoftwareVersion: null }),
    response: () => ({
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 8 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 0,
    }),
    marker: '"maxVersion":8',
  },
  {
    api: 'createTopics',
    key: 19,
    versions: [0, 3],
    args: () => ({
      topics: [
        {
          topic: 'kz-new',
          numPartitions: 3,
          replicationFactor: 2,
          replicaAssignment: [],
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      timeout: 5000,
      validateOnly: false,
    }),
    expected: () => ({
      topics: [
        {
          name: 'kz-new',
          numPartitions: 3,
          replicationFactor: 2,
          assignments: [],
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    }),
    response: () => ({
      throttleTimeMs: 0,
      topics: [
        {
          name: 'kz-new',
          errorCode: 0,
          errorMessage: null,
          numPartitions: 3,
          replicationFactor: 2,
        },
      ],
    }),
    marker: 'kz-new',
  },
  {
    api: 'deleteTopics',
    key: 20,
    versions: [0, 1],
    args: () => ({ topics: ['kz-old'], timeout: 5000 }),
    expected: () => ({ topicNames: ['kz-old'], timeoutMs: 5000 }),
    response: () => ({
      throttleTimeMs: 0,
      responses: [{ name: 'kz-old', errorCode: 0, errorMessage: null }],
    }),
    marker: 'kz-old',
  },
  {
    api: 'initProducerId',
    key: 22,
    versions: [0, 1],
    args: () => ({ transactionalId: null, transactionTimeout: 5000 }),
    expected: () => ({
      transactionalId: null,
      transactionTimeoutMs: 5000,
      producerId: -1,
      producerEpoch: -1,
    }),
    response: () => ({ throttleTimeMs: 0, errorCode: 0, producerId: 4242, producerEpoch: 0 }),
    marker: '4242',
  },
  {
    api: 'describeConfigs',
    key: 32,
    versions: [0, 2],
    args: () => ({
      resources: [{ type: 2, name: 'kz-t', configNames: ['retention.ms'] }],
      includeSynonyms: true,
    }),
    expected: (v) => ({
      resources: [{ resourceType: 2, resourceName: 'kz-t', configurationKeys: ['retention.ms'] }],
      includeSynonyms: v >= 1,
      includeDocumentation: false,
    }),
    response: () => ({
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'kz-t',
          configs: [
            {
              name: 'retention.ms',
              value: '604800000',
              readOnly: false,
              configSource: 5,
              isSensitive: false,
              synonyms: [],
              configType: 0,
              documentation: null,
            },
          ],
        },
      ],
    }),
    marker: '604800000',
  },
  {
    api: 'alterConfigs',
    key: 33,
    versions: [0, 1],
    args: () => ({
      resources: [
        { type: 2, name: 'kz-t', configEntries: [{ name: 'retention.ms', value: '1000' }] },
      ],
      validateOnly: true,
    }),
    expected: () => ({
      resources: [
        {
          resourceType: 2,
          resourceName: 'kz-t',
          configs: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
      validateOnly: true,
    }),
    response: () => ({
      throttleTimeMs: 0,
      responses: [
        { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'kz-altered' },
      ],
    }),
    marker: 'kz-altered',
  },
  {
    api: 'createPartitions',
    key: 37,
    versions: [0, 1],
    args: () => ({
      topicPartitions: [{ topic: 'kz-t', count: 6, assignments: [[1], [2]] }],
      timeout: 5000,
      validateOnly: false,
    }),
    expected: () => ({
      topics: [{ name: 'kz-t', count: 6, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] }],
      timeoutMs: 5000,
      validateOnly: false,
    }),
    response: () => ({
      throttleTimeMs: 0,
      results: [{ name: 'kz-grown', errorCode: 0, errorMessage: null }],
    }),
    marker: 'kz-grown',
  },
  {
    api: 'deleteGroups',
    key: 42,
    versions: [0, 1],
    args: () => ['kz-g1', 'kz-g2'],
    expected: () => ({ groupsNames: ['kz-g1', 'kz-g2'] }),
    response: () => ({ throttleTimeMs: 0, results: [{ groupId: 'kz-gone', errorCode: 0 }] }),
    marker: 'kz-gone',
  },
];

describe('protocol > kafka > kafkajs 2.2.4 black box', () => {
  for (const c of cases) {
    for (let v = c.versions[0]; v <= c.versions[1]; v++) {
      it(`${c.api} v${v}: kafkajs request decodes, our response parses`, async () => {
        const version = kjs(c.api).protocol({ version: v });
        expect(version).toBeDefined();
        const { request, response } = version(c.args(v));
        const wire: Buffer = (
          await kafkajsRequest({ correlationId: 17, clientId: 'kafkajs', request })
        ).buffer;
        const { header, body } = decodeKafkaRequest(wire.subarray(4));
        expect(header).toEqual({
          apiKey: c.key,
          apiVersion: v,
          correlationId: 17,
          clientId: 'kafkajs',
        });
        expect(body).toMatchObject(c.expected(v));
        expect(encodeKafkaRequest(header, body).equals(wire)).toBe(true);

        const frame = encodeKafkaResponse(header, c.response(v));
        expect(frame.readInt32BE(4)).toBe(17);
        const parsed = await response.parse(await response.decode(frame.subarray(8)));
        expect(JSON.stringify(parsed)).toContain(c.marker);
      });
    }
  }

  it('produce v7: a kafkajs RecordBatch arrives as a view of the frame', async () => {
    const { request } = kjs('produce').protocol({ version: 7 })({
      acks: -1,
      timeout: 1000,
      topicData: [
        {
          topic: 'kz-t',
          partitions: [
            { partition: 0, messages: [{ key: 'k1', value: 'hello', headers: { h1: 'v1' } }] },
          ],
        },
      ],
    });
    const wire: Buffer = (await kafkajsRequest({ correlationId: 1, clientId: 'k', request }))
      .buffer;
    const body = decodeKafkaRequest(wire.subarray(4)).body as {
      topics: { partitions: { records: Buffer }[] }[];
    };
    const got = body.topics[0].partitions[0].records;
    expect(got.buffer).toBe(wire.buffer);
    expect(got[16]).toBe(2); // magic
    expect(got.readInt32BE(8)).toBe(got.length - 12); // batchLength covers the rest
  });
});
