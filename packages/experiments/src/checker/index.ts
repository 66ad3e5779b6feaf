// The checker: reads a run's History (../history.ts) and says what happened.
// check.ts is the entry; final-log.ts the final committed logs; availability.ts the
// unavailability windows and failovers; explain.ts why each lost record was lost.
export { check, DEFAULT_MIN_UNAVAILABLE_MS } from './check';
export { promisesNoLoss } from './expectations';
export type * from './types';
