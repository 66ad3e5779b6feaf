// experiments: failover experiments on a kzoo cluster.
//   history.ts (the contract), scenarios.ts + roles.ts + random.ts (seeded nemesis schedules,
//   targets by role), cluster.ts, observer.ts, Workload.ts, final-read.ts, runner.ts (a run),
//   checker/ (check(history)), report/ (terminal, JSON, HTML)
import * as random from './random';
import * as roles from './roles';
import * as scenarios from './scenarios';
import * as cluster from './cluster';
import * as runner from './runner';
import * as checker from './checker';
import * as report from './report';

export type {
  ExperimentConfig,
  HistoryMeta,
  SendRecord,
  ConsumeRecord,
  CommitRecord,
  FaultEvent,
  ClusterEvent,
  ReplicaRecord,
  FinalRead,
  WorkloadSample,
  History,
} from './history';

export import parseSeed = random.parseSeed;
export import SeededRandom = random.SeededRandom;

export type { PartitionRef, Role, PartitionView, ClusterView, Target } from './roles';
export import roleLabel = roles.roleLabel;
export import targetLabel = roles.targetLabel;
export import partitionOf = roles.partitionOf;
export import resolveRole = roles.resolveRole;

export type {
  FaultKind,
  FaultCondition,
  FaultEnd,
  ScheduledFault,
  Schedule,
  ScheduleParams,
  ScenarioDef,
} from './scenarios';
export import scenario = scenarios.scenario;
export import buildSchedule = scenarios.buildSchedule;
export import describeSchedule = scenarios.describeSchedule;
export import NETWORK_FAULTS = scenarios.NETWORK_FAULTS;
export import SCENARIOS = scenarios.SCENARIOS;

export type { ExperimentClusterOptions } from './cluster';
export import ExperimentCluster = cluster.ExperimentCluster;

export type { RunOptions, RunOutput } from './runner';
export import experimentConfig = runner.experimentConfig;
export import runExperiment = runner.runExperiment;
export import ExperimentAborted = runner.ExperimentAborted;

export type {
  PartitionStateEvent,
  TruncationEvent,
  ElectionInfo,
  LossExplanation,
  LostRecord,
  LossCause,
  ConsumerObservedLoss,
  DuplicateRecord,
  ReorderedRecord,
  PhantomRecord,
  FailedButPresent,
  Divergence,
  InconsistentOffset,
  CommitRegression,
  UnavailabilityWindow,
  Failover,
  PartitionSummary,
  Expectation,
  CheckCounts,
  CheckResult,
  CheckOptions,
} from './checker';
export import check = checker.check;
export import DEFAULT_MIN_UNAVAILABLE_MS = checker.DEFAULT_MIN_UNAVAILABLE_MS;
export import promisesNoLoss = checker.promisesNoLoss;

export type {
  TerminalOptions,
  HtmlOptions,
  TimelineOptions,
  MatrixRow,
  MatrixConfig,
  MatrixOptions,
} from './report';
export import renderTerminal = report.renderTerminal;
export import renderJson = report.renderJson;
export import REPORT_FORMAT = report.REPORT_FORMAT;
export import renderHtml = report.renderHtml;
export import renderTimeline = report.renderTimeline;
export import renderMatrix = report.renderMatrix;
export import matrixRows = report.matrixRows;
