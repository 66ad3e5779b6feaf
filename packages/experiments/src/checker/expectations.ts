/**
 * The verdict: what the configuration under test promises, and whether the run kept it.
 * A breach of something the configuration does not promise (loss with acks=1, say) is
 * reported, not counted as a violation.
 */
import type { ExperimentConfig } from '../history';
import type { Expectation } from './types';

export interface AnomalyCounts {
  lost: number;
  consumerObservedLoss: number;
  duplicated: number;
  reordered: number;
  phantoms: number;
  divergences: number;
  inconsistentOffsets: number;
  commitRegressions: number;
  /** Partitions with no final read at all. */
  unreadPartitions: number;
  healed: boolean;
}

/** Whether the configuration promises that no acknowledged record is lost, and why (not). */
export function promisesNoLoss(config: ExperimentConfig): { applies: boolean; because: string } {
  const reasons: string[] = [];
  if (config.acks !== -1) reasons.push(`acks=${config.acks}`);
  if (config.minInsyncReplicas < 2) reasons.push(`min.insync.replicas=${config.minInsyncReplicas}`);
  if (config.uncleanLeaderElection) reasons.push('unclean.leader.election.enable=true');
  if (reasons.length === 0)
    return {
      applies: true,
      because: `acks=all, min.insync.replicas=${config.minInsyncReplicas}, unclean.leader.election.enable=false`,
    };
  return { applies: false, because: `loss is allowed with ${reasons.join(', ')}` };
}

export function expectations(config: ExperimentConfig, n: AnomalyCounts): Expectation[] {
  const noLoss = promisesNoLoss(config);
  const idem = config.idempotence
    ? { applies: true, because: 'enable.idempotence=true' }
    : config.retries === 0
      ? { applies: true, because: 'retries=0: the producer never sends a record twice' }
      : {
          applies: false,
          because: `enable.idempotence=false, retries=${config.retries}: retries may duplicate and reorder`,
        };
  const always = { applies: true, because: 'always' };
  const make = (
    id: Expectation['id'],
    description: string,
    rule: { applies: boolean; because: string },
    count: number,
  ): Expectation => ({ id, description, ...rule, count, held: count === 0 });
  return [
    make('no-acknowledged-loss', 'every acknowledged record is in the final log', noLoss, n.lost),
    make(
      'no-consumer-observed-loss',
      'every consumed record is in the final log',
      noLoss,
      n.consumerObservedLoss,
    ),
    make('no-duplicates', 'no value at two offsets of the final log', idem, n.duplicated),
    make(
      'no-reorder',
      'within a key, acknowledged records sit in the log in send order',
      idem,
      n.reordered,
    ),
    make(
      'no-phantoms',
      'every record in the logs and every consumed record was sent',
      always,
      n.phantoms,
    ),
    make(
      'replicas-agree',
      'replicas of the final ISR hold the same records below the high watermark',
      always,
      n.divergences,
    ),
    make(
      'consistent-offsets',
      'every acknowledged or consumed offset holds the same value in the final log',
      noLoss.applies
        ? noLoss
        : { applies: false, because: `${noLoss.because}: a truncated offset may be written again` },
      n.inconsistentOffsets,
    ),
    make(
      'commits-monotonic',
      "the group's committed offset of a partition never goes backwards",
      noLoss.applies
        ? noLoss
        : {
            applies: false,
            because: `${noLoss.because}: a truncated log may reset the group's offsets`,
          },
      n.commitRegressions,
    ),
    make(
      'final-read-complete',
      'every partition was read back after the run',
      always,
      n.unreadPartitions,
    ),
    make(
      'healed',
      'after the faults the cluster healed: every broker back, every ISR full',
      always,
      n.healed ? 0 : 1,
    ),
  ];
}

/** One sentence per expectation that applies and did not hold. */
export function violationsOf(exps: Expectation[]): string[] {
  return exps
    .filter((e) => e.applies && !e.held)
    .map((e) =>
      e.id === 'healed'
        ? `healed: the cluster never healed after the faults (no broker back or no ISR full by the end)`
        : `${e.id}: expected ${e.description} (${e.because}); found ${e.count}`,
    );
}
