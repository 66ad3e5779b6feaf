#!/usr/bin/env node
// The leader's CPU per acks=all round, in one process and without the network: a
// ReplicaManager leading one partition with ISR [1, 2, 3] on a real LogManager; each round
// appends a 16 KiB batch (150 records of 100 B) with acks=-1, answers the two followers'
// parked fetches, and takes their next fetches (from the new LEO: the HW moves and the
// produce completes). Prints CPU µs per round from process.cpuUsage(), which stays
// comparable on a loaded machine; compare builds by running it from each (A B A B).
//   node scripts/rf3-leader-cycle.js [rounds=10000]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Buffer } = require('node:buffer');

const root = path.resolve(__dirname, '..');
const { LogManager } = require(path.join(root, 'packages/log/dist'));
const { ReplicaManager } = require(
  path.join(root, 'packages/broker/dist/server/ReplicaManager.js'),
);
const { MetadataCache } = require(path.join(root, 'packages/broker/dist/server/MetadataCache.js'));
const { setLogLevel } = require(path.join(root, 'packages/common/dist'));
const { buildRecordBatch } = require(path.join(root, 'packages/records/dist'));

const rounds = Number(process.argv[2] ?? 10000);
const RECORDS = 150;

async function main() {
  setLogLevel('warn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-leader-cycle-'));
  const store = LogManager.open({ logDirs: [dir], cleanerEnable: false });
  const rm = new ReplicaManager({
    brokerId: 1,
    logManager: store,
    metadataCache: new MetadataCache(1),
    brokerEpoch: () => 10,
    topicConfig: async () => ({}),
  });
  try {
    await rm.becomeLeaderOrFollower({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: 10,
      liveLeaders: [],
      partitionStates: [
        {
          topicName: 't',
          partitionIndex: 0,
          controllerEpoch: 1,
          leader: 1,
          leaderEpoch: 0,
          isr: [1, 2, 3],
          zkVersion: 0,
          replicas: [1, 2, 3],
          isNew: true,
        },
      ],
    });
    await rm.getPartition('t', 0).pendingEpochWrite;
    const batch = buildRecordBatch({
      records: Array.from({ length: RECORDS }, (_, i) => ({
        value: Buffer.alloc(100, 65 + (i % 26)),
      })),
    });
    const fetch = (replicaId, fetchOffset) =>
      rm.fetchMessages({
        replicaId,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 10 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: 0,
                fetchOffset,
                logStartOffset: 0,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      });
    let offset = 0;
    let parked = [fetch(2, 0), fetch(3, 0)];
    const round = async () => {
      const acked = rm.appendRecords(-1, 30000, [
        { name: 't', partitions: [{ index: 0, records: batch }] },
      ]);
      for (const [res] of await Promise.all(parked))
        if (res.partitions[0].records.length === 0) throw new Error('a follower got no data');
      offset += RECORDS;
      parked = [fetch(2, offset), fetch(3, offset)];
      const [r] = await acked;
      if (r.partitions[0].errorCode !== 0)
        throw new Error(`produce error ${r.partitions[0].errorCode}`);
    };
    for (let i = 0; i < Math.min(2000, rounds); i++) await round(); // warm-up
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await round();
    const cpu = process.cpuUsage(cpu0);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    console.log(
      `leader acks=all round (16 KiB, 2 followers): CPU ${((cpu.user + cpu.system) / rounds).toFixed(1)} µs ` +
        `(user ${(cpu.user / rounds).toFixed(1)}, sys ${(cpu.system / rounds).toFixed(1)}), ` +
        `wall ${(wallUs / rounds).toFixed(1)} µs; ${rounds} rounds`,
    );
  } finally {
    rm.shutdown();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
