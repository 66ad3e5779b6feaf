/**
 * `kzoo experiment list | run SCENARIO | matrix`: failover experiments on a cluster this
 * command starts (a real ZooKeeper and broker processes, see @kzoo/experiments): a seeded
 * nemesis schedule, a recorded workload, a final read of every replica, the checker's
 * verdict. Progress goes to stderr, the summary (or JSON with --json) to stdout. Exit
 * code: 0 every run kept the configuration's expectations, 1 one did not, 2 bad usage.
 * Ctrl-C (or SIGTERM) ends the faults, heals, stops the cluster and removes its files.
 * `run --ui` serves the live view (@kzoo/ui) of the run's cluster while it runs, its event
 * feed carrying the schedule's faults, with fault buttons for the process faults and the
 * link faults (every link then goes through its own proxy); the heal before the final
 * read undoes what the buttons did, and the checker judges the run with them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import type { Argv, CommandModule } from 'yargs';
import { setLogLevel } from '@kzoo/common';
import {
  check,
  ExperimentAborted,
  matrixRows,
  parseSeed,
  renderHtml,
  renderJson,
  renderMatrix,
  renderTerminal,
  runExperiment,
  scenario as scenarioDef,
  SCENARIOS,
  type CheckResult,
  type ExperimentCluster,
  type History,
  type RunOptions,
} from '@kzoo/experiments';
import {
  LINK_FAULTS,
  PROCESS_FAULTS,
  UiServer,
  type FaultAction,
  type FaultHandler,
} from '@kzoo/ui';
import { run, UsageError } from '../common';

const VERSION = (require('../../package.json') as { version: string }).version;

/** `30s`, `1500ms`, `2m`, or a bare number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(s).trim());
  if (!m) throw new UsageError(`invalid duration ${JSON.stringify(s)}: e.g. 30s, 1500ms, 2m`);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60000 : 1000);
  if (n < 1000) throw new UsageError(`duration ${s} is too short: at least 1s`);
  return Math.round(n);
}

export function parseAcks(s: string | number): 0 | 1 | -1 {
  const v = String(s).trim().toLowerCase();
  if (v === '0') return 0;
  if (v === '1') return 1;
  if (v === 'all' || v === '-1') return -1;
  throw new UsageError(`invalid --acks ${JSON.stringify(String(s))}: 0, 1 or all`);
}

function parseList(s: string | undefined, what: string): string[] {
  const list = (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError(`--${what} needs at least one value`);
  return list;
}

interface CommonArgs {
  duration: string;
  'session-timeout-ms': number;
  'replica-lag-time-max-ms': number;
  rate: number;
  'isr-path': string;
  report?: string;
  json: boolean;
  verbose: boolean;
}

interface RunArgs extends CommonArgs {
  scenario: string;
  acks: string;
  'min-insync': number;
  unclean: boolean;
  idempotence?: boolean;
  seed?: string;
  runs: number;
  ui: boolean;
  'ui-port': number;
}

interface MatrixArgs extends CommonArgs {
  scenarios?: string;
  seeds?: string;
  acks: string;
  'min-insync': string;
  unclean: string;
  markdown: boolean;
}

function withCommon<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .option('duration', { type: 'string', default: '30s', describe: 'Length of the fault phase' })
    .option('session-timeout-ms', {
      type: 'number',
      default: 6000,
      describe: 'Brokers’ zookeeper.session.timeout.ms',
    })
    .option('replica-lag-time-max-ms', {
      type: 'number',
      default: 2000,
      describe: 'Brokers’ replica.lag.time.max.ms',
    })
    .option('rate', { type: 'number', default: 200, describe: 'Sends per second (all producers)' })
    .option('isr-path', {
      type: 'string',
      default: 'alter-partition',
      choices: ['alter-partition', 'zookeeper'],
      describe:
        'How leaders change the ISR: AlterPartition (inter.broker.protocol.version 3.5) or their own ZooKeeper writes (2.6)',
    })
    .option('report', {
      type: 'string',
      describe:
        'Directory for history.json, report.json and report.html (one subdirectory per run)',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print the JSON report(s) on stdout',
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'Client log lines too',
    }) as Argv<T & CommonArgs>;
}

/** Ctrl-C and SIGTERM abort the run (it heals and cleans up); a second one exits at once. */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(130);
    process.stderr.write(
      `\n${sig}: healing, stopping the cluster and cleaning up (again to quit now)\n`,
    );
    ctl.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function runDirName(o: RunOptions): string {
  const acks = o.acks === -1 ? 'all' : String(o.acks);
  return `${o.scenario}-acks${acks}-minisr${o.minInsyncReplicas}-unclean${o.uncleanLeaderElection ? 'on' : 'off'}-seed${o.seed}`;
}

/** One run: the experiment, the check, the reports. */
async function oneRun(
  o: RunOptions,
  reportRoot: string | undefined,
  nested: boolean,
): Promise<{ result: CheckResult; history: History; dir?: string }> {
  const dir = reportRoot ? (nested ? path.join(reportRoot, runDirName(o)) : reportRoot) : undefined;
  const out = await runExperiment({ ...o, reportDir: dir });
  const result = check(out.history);
  if (dir) {
    fs.writeFileSync(path.join(dir, 'report.json'), renderJson(result));
    fs.writeFileSync(path.join(dir, 'report.html'), renderHtml(result, out.history));
  }
  return { result, history: out.history, dir };
}

function baseOptions(
  a: CommonArgs,
  signal: AbortSignal,
): Omit<
  RunOptions,
  'scenario' | 'seed' | 'acks' | 'minInsyncReplicas' | 'uncleanLeaderElection' | 'idempotence'
> {
  if (a['session-timeout-ms'] < 1000)
    throw new UsageError('--session-timeout-ms must be at least 1000');
  if (a.rate <= 0) throw new UsageError('--rate must be positive');
  return {
    isrPath: a['isr-path'] as RunOptions['isrPath'],
    durationMs: parseDuration(a.duration),
    sessionTimeoutMs: a['session-timeout-ms'],
    replicaLagTimeMaxMs: a['replica-lag-time-max-ms'],
    ratePerSec: a.rate,
    signal,
    version: VERSION,
    onProgress: (line) =>
      process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
  };
}

/** The UI's fault buttons on an experiment's cluster: process faults, and link faults. */
export function experimentFaults(c: ExperimentCluster): FaultHandler {
  return async (action: FaultAction, id: number) => {
    c.broker(id); // an unknown id throws, naming the brokers
    switch (action) {
      case 'kill':
        await c.kill(id);
        return `broker ${id} killed (SIGKILL)`;
      case 'pause':
        c.pause(id);
        return `broker ${id} paused (SIGSTOP)`;
      case 'resume':
        c.resume(id);
        return `broker ${id} resumed (SIGCONT)`;
      case 'restart':
        await c.kill(id);
        await c.ensureRunning(id);
        return `broker ${id} restarted (SIGKILL, then started again)`;
      case 'isolate-zookeeper':
      case 'isolate-brokers':
      case 'isolate-clients': {
        const from = action.slice('isolate-'.length) as 'zookeeper' | 'brokers' | 'clients';
        c.isolate(id, from);
        return `broker ${id} cut off from ${from === 'brokers' ? 'the other brokers' : `the ${from}`}`;
      }
      case 'heal':
        for (const from of ['zookeeper', 'brokers', 'clients'] as const) c.healIsolation(id, from);
        return `broker ${id}: its links healed`;
    }
  };
}

/** `run --ui`: the run's options with the live view started on its cluster. */
export function withUi(o: RunOptions, port: number): RunOptions {
  let ui: UiServer | null = null;
  return {
    ...o,
    network: true,
    onCluster: async (cluster) => {
      ui = await UiServer.start({
        zk: cluster.zkConnect,
        port,
        faults: experimentFaults(cluster),
        faultActions: [...PROCESS_FAULTS, ...LINK_FAULTS],
      });
      o.onProgress?.(`kzoo ui at ${ui.url}: this run's cluster, with fault buttons`);
      return async () => {
        await ui?.close();
        ui = null;
      };
    },
    onFault: (e) =>
      ui?.note(
        `experiment ${e.phase === 'start' ? 'fault' : 'fault ends'}: ${e.kind} on ${e.target} (${e.role})${e.detail ? `: ${e.detail}` : ''}`,
      ),
  };
}

const listCommand: CommandModule = {
  command: 'list',
  describe: 'The scenarios, one line each',
  handler: () => {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) {
      const tags = [
        s.zookeeperNodes === 3 ? '3 ZooKeeper nodes' : '',
        s.network ? 'network faults' : '',
      ]
        .filter(Boolean)
        .join(', ');
      process.stdout.write(
        `${s.name.padEnd(width)}  ${s.description}${tags ? ` [${tags}]` : ''}\n`,
      );
    }
  },
};

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Run one scenario (or --runs N seeds) and check the history',
  builder: (y) =>
    withCommon(y)
      .positional('scenario', {
        type: 'string',
        demandOption: true,
        describe: 'See `kzoo experiment list`',
      })
      .option('acks', { type: 'string', default: 'all', describe: 'Producer acks: 0, 1 or all' })
      .option('min-insync', { type: 'number', default: 2, describe: 'Topic min.insync.replicas' })
      .option('unclean', {
        type: 'boolean',
        default: false,
        describe: 'Topic unclean.leader.election.enable=true',
      })
      .option('idempotence', {
        type: 'boolean',
        describe: 'Producer enable.idempotence (default: on with acks=all, as Kafka 3.x)',
      })
      .option('seed', {
        type: 'string',
        describe: 'Seed of the schedule (default: a random one, printed)',
      })
      .option('runs', { type: 'number', default: 1, describe: 'Runs with seeds S, S+1, ...' })
      .option('ui', {
        type: 'boolean',
        default: false,
        describe: 'Serve the live view of the run with fault buttons (process and link faults)',
      })
      .option('ui-port', { type: 'number', default: 8080, describe: 'Port of --ui (0: any)' })
      .example('$0 experiment run leader-kill --acks 1 --seed 7', 'one seeded run')
      .example(
        '$0 experiment run leader-pause --duration 2m --ui',
        'watch the run at http://127.0.0.1:8080 and add faults by hand',
      )
      .example(
        '$0 experiment run leader-isolated-from-zookeeper --acks 1 --report out',
        'with an HTML report',
      ) as Argv<RunArgs>,
  handler: (a) =>
    run(async () => {
      let opts: RunOptions[];
      const signals = abortOnSignals();
      try {
        scenarioDef(a.scenario);
        const acks = parseAcks(a.acks);
        const idempotence = a.idempotence ?? acks === -1;
        if (idempotence && acks !== -1)
          throw new UsageError(
            `--idempotence needs --acks all (got --acks ${a.acks}), as Kafka's producer`,
          );
        if (!Number.isInteger(a['min-insync']) || a['min-insync'] < 1 || a['min-insync'] > 3)
          throw new UsageError(
            `--min-insync must be 1, 2 or 3 (replication factor 3), got ${a['min-insync']}`,
          );
        if (!Number.isInteger(a.runs) || a.runs < 1)
          throw new UsageError(`--runs must be at least 1, got ${a.runs}`);
        const seed = a.seed !== undefined ? parseSeed(a.seed) : randomInt(0, 1_000_000);
        const base = baseOptions(a, signals.signal);
        if (a.ui && (!Number.isInteger(a['ui-port']) || a['ui-port'] < 0 || a['ui-port'] > 65535))
          throw new UsageError(`--ui-port must be a port number, got ${a['ui-port']}`);
        opts = Array.from({ length: a.runs }, (_, i) => {
          const o: RunOptions = {
            ...base,
            scenario: a.scenario,
            seed: seed + i,
            acks,
            minInsyncReplicas: a['min-insync'],
            uncleanLeaderElection: a.unclean,
            idempotence,
          };
          return a.ui ? withUi(o, a['ui-port']) : o;
        });
      } catch (e) {
        signals.dispose();
        if (e instanceof UsageError) throw e;
        throw new UsageError((e as Error).message);
      }
      if (!a.verbose && !process.env.KZOO_LOG_LEVEL) setLogLevel('error');
      let allOk = true;
      try {
        for (const o of opts) {
          const { result, history, dir } = await oneRun(o, a.report, opts.length > 1);
          allOk &&= result.ok;
          if (a.json) process.stdout.write(renderJson(result) + '\n');
          else
            process.stdout.write(
              `${renderTerminal(result, history)}${dir ? `\nreport: ${path.join(dir, 'report.html')}\n` : ''}\n`,
            );
        }
      } catch (e) {
        if (e instanceof ExperimentAborted) {
          process.stderr.write('kzoo: experiment interrupted; cluster stopped and cleaned up\n');
          process.exit(130);
        }
        throw e;
      } finally {
        signals.dispose();
      }
      process.exitCode = allOk ? 0 : 1;
    }),
};

const matrixCommand: CommandModule<object, MatrixArgs> = {
  command: 'matrix',
  describe:
    'acks 0/1/all × min.insync 1/2 × unclean off/on × scenarios × seeds; the table of lost/duplicated',
  builder: (y) =>
    withCommon(y)
      .option('scenarios', {
        type: 'string',
        describe: 'Comma-separated scenarios (default: every scenario)',
      })
      .option('seeds', { type: 'string', default: '1', describe: 'Comma-separated seeds, or A-B' })
      .option('acks', { type: 'string', default: '0,1,all', describe: 'acks values to run' })
      .option('min-insync', {
        type: 'string',
        default: '1,2',
        describe: 'min.insync.replicas values',
      })
      .option('unclean', {
        type: 'string',
        default: 'off,on',
        describe: 'unclean election: off, on',
      })
      .option('markdown', {
        type: 'boolean',
        default: false,
        describe: 'Print the table as Markdown',
      })
      .example(
        '$0 experiment matrix --scenarios leader-kill,leader-pause --seeds 1-3 --duration 15s',
        '',
      ) as Argv<MatrixArgs>,
  handler: (a) =>
    run(async () => {
      const signals = abortOnSignals();
      const opts: RunOptions[] = [];
      try {
        const scenarios = a.scenarios
          ? parseList(a.scenarios, 'scenarios')
          : SCENARIOS.map((s) => s.name);
        for (const s of scenarios) scenarioDef(s);
        const seeds = parseSeeds(a.seeds ?? '1');
        const acksList = parseList(a.acks, 'acks').map(parseAcks);
        const minIsr = parseList(a['min-insync'], 'min-insync').map((x) => {
          const n = Number(x);
          if (!Number.isInteger(n) || n < 1 || n > 3)
            throw new UsageError(`invalid --min-insync value ${x}: 1, 2 or 3`);
          return n;
        });
        const unclean = parseList(a.unclean, 'unclean').map((x) => {
          if (x !== 'on' && x !== 'off')
            throw new UsageError(`invalid --unclean value ${x}: off or on`);
          return x === 'on';
        });
        const base = baseOptions(a, signals.signal);
        for (const scenario of scenarios)
          for (const acks of acksList)
            for (const m of minIsr)
              for (const u of unclean)
                for (const seed of seeds)
                  opts.push({
                    ...base,
                    scenario,
                    seed,
                    acks,
                    minInsyncReplicas: m,
                    uncleanLeaderElection: u,
                    idempotence: acks === -1,
                  });
      } catch (e) {
        signals.dispose();
        if (e instanceof UsageError) throw e;
        throw new UsageError((e as Error).message);
      }
      if (!a.verbose && !process.env.KZOO_LOG_LEVEL) setLogLevel('error');
      const results: CheckResult[] = [];
      const failed: string[] = [];
      try {
        for (const [i, o] of opts.entries()) {
          process.stderr.write(`run ${i + 1}/${opts.length}: ${runDirName(o)}\n`);
          try {
            const { result: r } = await oneRun(
              { ...o, onProgress: a.verbose ? o.onProgress : undefined },
              a.report,
              true,
            );
            process.stderr.write(
              `  ${r.counts.acknowledged} acknowledged, lost ${r.counts.lost}, duplicated ${r.counts.duplicated}: ${r.ok ? 'expectations held' : 'VIOLATED ' + r.violations.join('; ')}\n`,
            );
            results.push(r);
          } catch (e) {
            if (e instanceof ExperimentAborted) throw e;
            // one run that could not complete does not end the matrix; it fails it
            const why = (e as Error).message.split('\n')[0];
            failed.push(`${runDirName(o)}: ${why}`);
            process.stderr.write(`  run failed: ${why}\n`);
          }
        }
      } catch (e) {
        if (e instanceof ExperimentAborted) {
          process.stderr.write('kzoo: matrix interrupted; cluster stopped and cleaned up\n');
          if (results.length > 0)
            process.stdout.write(renderMatrix(matrixRows(results), { markdown: a.markdown }));
          process.exit(130);
        }
        throw e;
      } finally {
        signals.dispose();
      }
      if (a.json) process.stdout.write(JSON.stringify(matrixRows(results), null, 2) + '\n');
      else process.stdout.write(renderMatrix(matrixRows(results), { markdown: a.markdown }));
      if (failed.length > 0)
        process.stdout.write(
          `\n${failed.length} run(s) did not complete (not in the table):\n${failed.map((f) => `  ${f}`).join('\n')}\n`,
        );
      process.exitCode = failed.length === 0 && results.every((r) => r.ok) ? 0 : 1;
    }),
};

/** `1,2,5` or `1-20`. */
export function parseSeeds(s: string): number[] {
  const out: number[] = [];
  for (const part of parseList(s, 'seeds')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    try {
      if (range) {
        const [a, b] = [parseSeed(range[1]), parseSeed(range[2])];
        if (b < a) throw new Error(`empty seed range ${part}`);
        for (let x = a; x <= b; x++) out.push(x);
      } else out.push(parseSeed(part));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return out;
}

export const experimentCommand: CommandModule = {
  command: 'experiment <command>',
  describe: 'Failover experiments: seeded faults, a recorded workload, a checked verdict',
  builder: (y) =>
    y
      .command(listCommand)
      .command(runCommand as unknown as CommandModule)
      .command(matrixCommand as unknown as CommandModule)
      .demandCommand(1, 'name an experiment command: list, run or matrix'),
  handler: () => undefined,
};
