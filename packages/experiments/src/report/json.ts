/**
 * The JSON report: `{ format, scenario, seed, ok, ... }`, the CheckResult with a format
 * tag first. Keys keep a fixed order, so two runs' reports diff cleanly. The shape is
 * documented in packages/experiments/README.md ("The JSON report").
 */
import type { CheckResult } from '../checker/types';

export const REPORT_FORMAT = 'kzoo-experiment-check/1';

export function renderJson(result: CheckResult): string {
  const {
    ok,
    scenario,
    seed,
    config,
    counts,
    violations,
    warnings,
    expectations,
    partitions,
    ...rest
  } = result;
  return (
    JSON.stringify(
      {
        format: REPORT_FORMAT,
        scenario,
        seed,
        ok,
        violations,
        warnings,
        config,
        counts,
        expectations,
        partitions,
        lossCauses: rest.lossCauses,
        lost: rest.lost,
        consumerObservedLoss: rest.consumerObservedLoss,
        duplicates: rest.duplicates,
        reordered: rest.reordered,
        phantoms: rest.phantoms,
        failedButPresent: rest.failedButPresent,
        divergences: rest.divergences,
        inconsistentOffsets: rest.inconsistentOffsets,
        commitRegressions: rest.commitRegressions,
      },
      null,
      2,
    ) + '\n'
  );
}
