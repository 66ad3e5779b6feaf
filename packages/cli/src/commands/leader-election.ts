/**
 * `kzoo leader-election --preferred [--topic T [--partition P]]`: preferred replica
 * election through the controller (ElectLeaders), as Kafka's `kafka-leader-election.sh
 * --election-type PREFERRED`. Prints one line per partition; exits 1 when any partition
 * failed for a reason other than ELECTION_NOT_NEEDED.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin } from '@kzoo/client';
import { runClient, withBootstrap, type BootstrapArgs } from './client-args';

interface ElectionArgs extends BootstrapArgs {
  preferred: boolean;
  topic?: string;
  partition?: number;
  'all-topic-partitions': boolean;
}

export const leaderElectionCommand: CommandModule<object, ElectionArgs> = {
  command: 'leader-election',
  describe: 'Move leadership back to the preferred replicas (ElectLeaders)',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('preferred', {
        type: 'boolean',
        default: false,
        describe: 'Preferred replica election (the only type kzoo runs from here)',
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
      .check((a) => {
        if (!a.preferred) throw new Error('say --preferred (the election type)');
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
        const results = await admin.electLeaders(tps);
        let failed = false;
        for (const r of results.sort((a, b) =>
          a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
        )) {
          const tp = `${r.topic}-${r.partition}`;
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
