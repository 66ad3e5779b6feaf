/**
 * `kzoo transactions list|describe`: the transactions of the cluster's transaction
 * coordinators, as Kafka's `kafka-transactions.sh --bootstrap-server` prints them:
 * list: TransactionalId Coordinator ProducerId TransactionState (one row per id, every
 * broker asked); describe: CoordinatorId TransactionalId ProducerId ProducerEpoch
 * TransactionState TransactionTimeoutMs CurrentTransactionStartTimeMs
 * TransactionDurationMs TopicPartitions. `--json` prints the objects instead.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin, type TransactionDescription } from '@kzoo/client';
import { runClient, withBootstrap, type BootstrapArgs } from './client-args';
import { tpKey } from '@kzoo/common';

interface TransactionsArgs extends BootstrapArgs {
  'transactional-id'?: string;
  state?: string[];
  json: boolean;
}

async function withAdmin<R>(args: BootstrapArgs, fn: (admin: Admin) => Promise<R>): Promise<R> {
  const admin = new Admin({
    'bootstrap.servers': args['bootstrap-server'],
    'client.id': 'kzoo-transactions',
    'default.api.timeout.ms': 30000,
  });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** Columns padded to their widest cell, as Kafka's tools print. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((cells) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' '),
    )
    .join('\n');
}

export function formatDescription(d: TransactionDescription, now: number): string[] {
  const open = d.transactionStartTimeMs >= 0;
  return [
    String(d.coordinator),
    d.transactionalId,
    String(d.producerId),
    String(d.producerEpoch),
    d.state,
    String(d.transactionTimeoutMs),
    open ? String(d.transactionStartTimeMs) : 'None',
    open ? String(Math.max(0, now - d.transactionStartTimeMs)) : 'None',
    d.partitions.map((p) => tpKey(p)).join(','),
  ];
}

const list: CommandModule<object, TransactionsArgs> = {
  command: 'list',
  describe: 'List the transactional ids the coordinators know',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('state', {
        type: 'string',
        array: true,
        describe:
          'Only these states (Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'As JSON' })
      .example('$0 transactions list', 'one row per transactional id') as Argv<TransactionsArgs>,
  handler: (args) =>
    runClient(async () => {
      const txns = await withAdmin(args, (a) => a.listTransactions({ states: args.state }));
      if (args.json) {
        process.stdout.write(JSON.stringify(txns) + '\n');
        return;
      }
      process.stdout.write(
        table(
          ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
          txns.map((t) => [
            t.transactionalId,
            String(t.coordinator),
            String(t.producerId),
            t.state,
          ]),
        ) + '\n',
      );
    }),
};

const describe: CommandModule<object, TransactionsArgs> = {
  command: 'describe [transactional-id]',
  describe: 'State, producer id and epoch, timeout and partitions of a transactional id',
  builder: (y: Argv) =>
    withBootstrap(y)
      .positional('transactional-id', { type: 'string', describe: 'The transactional id' })
      .option('transactional-id', { type: 'string', describe: 'The transactional id' })
      .option('json', { type: 'boolean', default: false, describe: 'As JSON' })
      .check((a) => {
        if (typeof a['transactional-id'] !== 'string' || a['transactional-id'] === '')
          throw new Error('name a transactional id (--transactional-id ID)');
        return true;
      })
      .example(
        '$0 transactions describe --transactional-id etl-1',
        'its current transaction',
      ) as Argv<TransactionsArgs>,
  handler: (args) =>
    runClient(async () => {
      const [d] = await withAdmin(args, (a) => a.describeTransactions([args['transactional-id']!]));
      if (args.json) {
        process.stdout.write(JSON.stringify(d) + '\n');
        return;
      }
      process.stdout.write(
        table(
          [
            'CoordinatorId',
            'TransactionalId',
            'ProducerId',
            'ProducerEpoch',
            'TransactionState',
            'TransactionTimeoutMs',
            'CurrentTransactionStartTimeMs',
            'TransactionDurationMs',
            'TopicPartitions',
          ],
          [formatDescription(d, Date.now())],
        ) + '\n',
      );
    }),
};

export const transactionsCommand: CommandModule = {
  command: 'transactions <command>',
  describe: 'List and describe transactions',
  builder: (y: Argv) =>
    y
      .command(list)
      .command(describe)
      .demandCommand(1, 'name a transactions command: list or describe'),
  handler: () => undefined,
};
