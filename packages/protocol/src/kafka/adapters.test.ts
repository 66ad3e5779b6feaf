/**
 * Where the native types and Kafka's shapes differ: per-API adapters, defaults of
 * fields absent at low versions, error responses (Kafka's getErrorResponse), and
 * the schema DSL's tagged fields.
 */
import { KafkaError } from '@kzoo/common';
import {
  KafkaDecodeError,
  decodeKafkaRequest,
  decodeKafkaResponse,
  encodeKafkaErrorResponse,
  encodeKafkaRequest,
  encodeKafkaResponse,
  isKafkaApiVersionsProbe,
  kafkaArrayOf,
  kafkaMessage,
} from '.';

const hdr = (apiKey: number, apiVersion: number) => ({
  apiKey,
  apiVersion,
  correlationId: 7,
  clientId: 'test',
});
const roundTrip = (apiKey: number, v: number, req: unknown) =>
  decodeKafkaRequest(encodeKafkaRequest(hdr(apiKey, v), req).subarray(4)).body;
const responseTrip = (apiKey: number, v: number, res: unknown) =>
  decodeKafkaResponse(apiKey, v, encodeKafkaResponse(hdr(apiKey, v), res).subarray(4)).body;
const errorOf = (apiKey: number, v: number, req: unknown, code: number) =>
  decodeKafkaResponse(
    apiKey,
    v,
    encodeKafkaErrorResponse(hdr(apiKey, v), req, new KafkaError(code)).subarray(4),
  ).body;

describe('protocol > kafka > Metadata', () => {
  it('maps v0 [] to all topics (null) and v1+ null/[] as they are', () => {
    expect(roundTrip(3, 0, { topics: null, allowAutoTopicCreation: true })).toEqual({
      topics: null,
      allowAutoTopicCreation: true,
    });
    expect(roundTrip(3, 1, { topics: [], allowAutoTopicCreation: false })).toEqual({
      topics: [],
      allowAutoTopicCreation: true, // absent below v4: Kafka's default
    });
    expect(roundTrip(3, 4, { topics: [], allowAutoTopicCreation: false })).toEqual({
      topics: [],
      allowAutoTopicCreation: false,
    });
  });

  it('fills response fields absent at v0 with defaults', () => {
    const res = {
      throttleTimeMs: 5,
      brokers: [{ nodeId: 1, host: 'h', port: 1, rack: 'r' }],
      clusterId: 'c',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          isInternal: true,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 3,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [2],
            },
          ],
        },
      ],
    };
    expect(responseTrip(3, 0, res)).toEqual({
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'h', port: 1, rack: null }],
      clusterId: null,
      controllerId: -1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: -1,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
        },
      ],
    });
    expect(responseTrip(3, 8, res)).toEqual(res);
  });

  it('answers an error per requested topic', () => {
    expect(errorOf(3, 5, { topics: [{ name: 'a' }], allowAutoTopicCreation: true }, 3)).toEqual({
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: [{ errorCode: 3, name: 'a', isInternal: false, partitions: [] }],
    });
  });
});

describe('protocol > kafka > LeaveGroup', () => {
  it('maps v0-2 memberId to a batch of one, and back', () => {
    const req = {
      groupId: 'g',
      members: [{ memberId: 'm', groupInstanceId: null, reason: null }],
    };
    for (const v of [0, 1, 2, 3]) expect(roundTrip(13, v, req)).toEqual(req);
  });

  it('v0-2 responses carry the first member error at the top level', () => {
    const res = {
      throttleTimeMs: 0,
      errorCode: 0,
      members: [{ memberId: 'm', groupInstanceId: null, errorCode: 25 }],
    };
    expect(responseTrip(13, 1, res)).toEqual({ throttleTimeMs: 0, errorCode: 25, members: [] });
    expect(responseTrip(13, 3, res)).toEqual(res);
  });
});

describe('protocol > kafka > JoinGroup', () => {
  it('v0 takes the session timeout as the rebalance timeout', () => {
    const body = roundTrip(11, 0, {
      groupId: 'g',
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 99,
      memberId: '',
      groupInstanceId: 'static',
      protocolType: 'consumer',
      protocols: [],
      reason: 'x',
    });
    expect(body).toMatchObject({
      rebalanceTimeoutMs: 10000,
      groupInstanceId: null,
      reason: null,
    });
  });

  it('error response: generation -1, empty protocol name below v7', () => {
    expect(errorOf(11, 5, undefined, 16)).toEqual({
      throttleTimeMs: 0,
      errorCode: 16,
      generationId: -1,
      protocolType: null,
      protocolName: '',
      leader: '',
      memberId: '',
      members: [],
    });
  });
});

describe('protocol > kafka > OffsetFetch', () => {
  it('v1 has no top-level error: it goes into every partition', () => {
    const res = {
      throttleTimeMs: 0,
      errorCode: 14,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: 0,
            },
          ],
        },
      ],
    };
    const back = responseTrip(9, 1, res) as typeof res;
    expect(back.errorCode).toBe(0);
    expect(back.topics[0].partitions[0].errorCode).toBe(14);
    expect(responseTrip(9, 2, res)).toEqual(res);
  });

  it('v2+ carries topics = null (all committed partitions)', () => {
    expect(roundTrip(9, 2, { groupId: 'g', topics: null, requireStable: false })).toEqual({
      groupId: 'g',
      topics: null,
      requireStable: false,
    });
  });
});

describe('protocol > kafka > DescribeConfigs', () => {
  it('v0 derives isDefault from configSource and reads it back', () => {
    const config = {
      name: 'retention.ms',
      value: '1',
      readOnly: false,
      configSource: 5,
      isSensitive: false,
      synonyms: [{ name: 's', value: null, source: 5 }],
      configType: 3,
      documentation: 'doc',
    };
    const res = {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 't',
          configs: [config, { ...config, configSource: 1 }],
        },
      ],
    };
    const v0 = responseTrip(32, 0, res) as typeof res;
    expect(v0.results[0].configs.map((c) => c.configSource)).toEqual([5, -1]);
    expect(v0.results[0].configs[0]).toEqual({
      ...config,
      synonyms: [],
      configType: 0,
      documentation: null,
    });
    expect(responseTrip(32, 3, res)).toEqual(res);
  });

  it('error response: one result per requested resource', () => {
    expect(
      errorOf(
        32,
        2,
        {
          resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
          includeSynonyms: false,
          includeDocumentation: false,
        },
        41,
      ),
    ).toMatchObject({
      results: [{ errorCode: 41, resourceType: 2, resourceName: 't', configs: [] }],
    });
  });
});

describe('protocol > kafka > Fetch and Produce error responses', () => {
  it('mirror every requested partition', () => {
    expect(
      errorOf(
        1,
        11,
        {
          replicaId: -1,
          maxWaitMs: 1,
          minBytes: 1,
          maxBytes: 1,
          isolationLevel: 0,
          topics: [
            {
              topic: 't',
              partitions: [
                {
                  partition: 3,
                  currentLeaderEpoch: -1,
                  fetchOffset: 0,
                  logStartOffset: -1,
                  partitionMaxBytes: 1,
                },
              ],
            },
          ],
        },
        6,
      ),
    ).toEqual({
      throttleTimeMs: 0,
      errorCode: 6,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 3,
              errorCode: 6,
              highWatermark: -1,
              lastStableOffset: -1,
              logStartOffset: -1,
              abortedTransactions: null,
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
    });
    expect(
      errorOf(
        0,
        8,
        {
          transactionalId: null,
          acks: -1,
          timeoutMs: 1,
          topics: [{ name: 't', partitions: [{ index: 1, records: Buffer.alloc(0) }] }],
        },
        6,
      ),
    ).toMatchObject({
      topics: [{ name: 't', partitions: [{ index: 1, errorCode: 6, baseOffset: -1 }] }],
    });
  });
});

describe('protocol > kafka > DescribeCluster (flexible v0)', () => {
  it('uses request header v2 and response header v1', () => {
    const req = encodeKafkaRequest(hdr(60, 0), { includeClusterAuthorizedOperations: true });
    // size | key | version | corr | clientId "test" | header tags | bool | body tags
    expect(req.toString('hex')).toBe(
      '00000011' + '003c0000' + '00000007' + '000474657374' + '00' + '01' + '00',
    );
    const res = encodeKafkaResponse(hdr(60, 0), {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: 'c',
      controllerId: 1,
      brokers: [],
      clusterAuthorizedOperations: -2147483648,
    });
    expect(res.subarray(4, 9).toString('hex')).toBe('0000000700'); // correlation id + header tags
  });

  it('refuses trailing bytes after a flexible body', () => {
    const req = encodeKafkaRequest(hdr(60, 0), { includeClusterAuthorizedOperations: true });
    const longer = Buffer.concat([req.subarray(4), Buffer.from([0])]);
    expect(() => decodeKafkaRequest(longer)).toThrow(/trailing bytes/);
  });
});

describe('protocol > kafka > request header', () => {
  it('accepts a null clientId and trailing bytes after a non-flexible body', () => {
    const frame = encodeKafkaRequest(
      { apiKey: 12, apiVersion: 3, correlationId: -5, clientId: null },
      { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i' },
    ).subarray(4);
    const { header, body } = decodeKafkaRequest(Buffer.concat([frame, Buffer.from('junk')]));
    expect(header).toEqual({ apiKey: 12, apiVersion: 3, correlationId: -5, clientId: null });
    expect(body).toEqual({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i' });
  });

  it('refuses a header shorter than its clientId as not answerable', () => {
    const bad = Buffer.from('000c0000000000010010' + '6162', 'hex');
    expect(() => decodeKafkaRequest(bad)).toThrow(/Heartbeat v0 request header/);
  });
});

describe('protocol > kafka > isKafkaApiVersionsProbe', () => {
  it('recognises v0-2 empty bodies and v3 compact bodies only', () => {
    const v2 = encodeKafkaRequest(hdr(18, 2), {}).subarray(4);
    expect(isKafkaApiVersionsProbe(v2)).toBe(true);
    expect(isKafkaApiVersionsProbe(Buffer.concat([v2, Buffer.from([0x80])]))).toBe(false);
    const v3 = encodeKafkaRequest(hdr(18, 3), {
      clientSoftwareName: 'x',
      clientSoftwareVersion: '1',
    }).subarray(4);
    expect(isKafkaApiVersionsProbe(v3)).toBe(true);
    expect(isKafkaApiVersionsProbe(v3.subarray(0, v3.length - 1))).toBe(false);
    expect(isKafkaApiVersionsProbe(encodeKafkaRequest(hdr(12, 0), {}).subarray(4))).toBe(false);
  });
});

describe('protocol > kafka > schema DSL', () => {
  interface Tagged {
    a: number;
    list: string[];
    note: string | null;
    epoch: number;
  }
  const msg = kafkaMessage<Tagged>('Test', '1+', [
    { name: 'a', type: 'int32', versions: '0+' },
    { name: 'list', type: kafkaArrayOf('string'), versions: '1+' },
    {
      name: 'note',
      type: 'string',
      versions: '1+',
      nullableVersions: '1+',
      taggedVersions: '1+',
      tag: 0,
      default: null,
    },
    { name: 'epoch', type: 'int64', versions: '2+', taggedVersions: '2+', tag: 5, default: -1 },
  ]);

  it('writes tagged fields only when not default, and reads them back', () => {
    expect(msg.encode({ a: 1, list: ['x'], note: null, epoch: -1 }, 1).toString('hex')).toBe(
      '00000001' + '02' + '0278' + '00',
    );
    const both = msg.encode({ a: 1, list: [], note: 'hi', epoch: 9 }, 2);
    expect(both.toString('hex')).toBe(
      '00000001' + '01' + '02' + '00' + '03' + '036869' + '05' + '08' + '0000000000000009',
    );
    expect(msg.decode(both, 2)).toEqual({ a: 1, list: [], note: 'hi', epoch: 9 });
    expect(msg.decode(msg.encode({ a: 1, list: [], note: null, epoch: -1 }, 0), 0)).toEqual({
      a: 1,
      list: [],
      note: null,
      epoch: -1,
    });
  });

  it('skips unknown tags and refuses tags out of order', () => {
    const unknown = Buffer.from('00000001' + '01' + '01' + '07' + '02' + 'abcd', 'hex');
    expect(msg.decode(unknown, 1, true)).toEqual({ a: 1, list: [], note: null, epoch: -1 });
    const disordered = Buffer.from('00000001' + '01' + '02' + '07' + '00' + '03' + '00', 'hex');
    expect(() => msg.decode(disordered, 1)).toThrow(KafkaDecodeError);
  });

  it('names the path of a bad tagged field', () => {
    const bad = Buffer.from('00000001' + '01' + '01' + '00' + '02' + '05' + '68', 'hex');
    expect(() => msg.decode(bad, 1)).toThrow(/^note: /);
  });
});
