/**
 * `kzoo leader-election --preferred|--unclean [--topic T [--partition P]]`: leader
 * election through the controller (ElectLeaders), as Kafka's `kafka-leader-election.sh
 * --election-type PREFERRED|UNCLEAN`. Prints one line per partition; exits 1 when any partition
 * failed for a reason other than ELECTION_NOT_NEEDED.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin } from '@kzoo/client';
import { runClient, withBootstrap, type BootstrapArgs } from './client-args';
import { tpKey } from '@kzoo/common';

interface ElectionArgs extends BootstrapArgs {
  preferred: boolean;
  unclean: boolean;
  'election-type'?: string;
  topic?: string;
  partition?: number;
  'all-topic-partitions': boolean;
}

export const leaderElectionCommand: CommandModule<object, ElectionArgs> = {
  command: 'leader-election',
  describe: 'Move leadership to the preferred replicas, or elect leaderless partitions uncleanly',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('preferred', {
        type: 'boolean',
        default: false,
        describe: 'Preferred replica election (= --election-type preferred)',
      })
      .option('unclean', {
        type: 'boolean',
        default: false,
        describe:
          'Unclean election for partitions without a live leader: an out-of-sync replica may lead and records may be lost (= --election-type unclean)',
      })
      .option('election-type', {
        type: 'string',
        choices: ['preferred', 'unclean', 'PREFERRED', 'UNCLEAN'],
        describe: "As kafka-leader-election's --election-type",
      })
      .option('topic', { type: 'string', describe: 'Only this topic' })
      .option('partition', { type: 'number', describe: 'Only this partition (needs --topic)' })
      .option('all-topic-partitions', {
        type: 'boolean',
        default: false,
        describe: 'Every partition (the default without --topic)',
      })
      .example('$0 leader-election --preferred', 'every partition')
      .example('$0 leader-election --preferred --topic orders --partition 0', 'one partition')
      .example(
        '$0 leader-election --unclean --topic orders',
        'bring offline partitions back, losing data',
      )
      .check((a) => {
        const t = a['election-type']?.toLowerCase();
        const n = [a.preferred || t === 'preferred', a.unclean || t === 'unclean'].filter(
          Boolean,
        ).length;
        if (n !== 1) throw new Error('say which election: --preferred or --unclean');
        if (a.partition !== undefined && !a.topic) throw new Error('--partition needs --topic');
        return true;
      }) as Argv<ElectionArgs>,
  handler: (args) =>
    runClient(async () => {
      const admin = new Admin({
        'bootstrap.servers': args['bootstrap-server'],
        'client.id': 'kzoo-leader-election',
        'default.api.timeout.ms': 30000,
      });
      try {
        let tps: Array<{ topic: string; partition: number }> | null = null;
        if (args.topic) {
          const [d] = await admin.describeTopics([args.topic]);
          tps = d.partitions
            .filter((p) => args.partition === undefined || p.partition === args.partition)
            .map((p) => ({ topic: args.topic!, partition: p.partition }));
          if (tps.length === 0)
            throw new Error(`topic ${args.topic} has no partition ${args.partition}`);
        }
        const unclean = args.unclean || args['election-type']?.toLowerCase() === 'unclean';
        const results = await admin.electLeaders(tps, {
          electionType: unclean ? 'unclean' : 'preferred',
        });
        let failed = false;
        for (const r of results.sort((a, b) =>
          a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
        )) {
          const tp = tpKey(r);
          if (r.error === null)
            process.stdout.write(`Successfully completed leader election for partition ${tp}\n`);
          else if (r.error === 'ELECTION_NOT_NEEDED')
            process.stdout.write(`Valid replica already elected for partition ${tp}\n`);
          else {
            failed = true;
            process.stdout.write(
              `Election failed for partition ${tp}: ${r.error} ${r.message ?? ''}\n`,
            );
          }
        }
        if (failed) process.exitCode = 1;
      } finally {
        await admin.close();
      }
    }),
};
