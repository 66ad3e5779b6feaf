// The checker: reads a run's History (../history.ts) and says what happened.
// check.ts is the entry; final-log.ts the final committed logs; availability.ts the
// unavailability windows and failovers; explain.ts why each lost record was lost.
import * as checkModule from './check';
import * as expectations from './expectations';

export type * from './types';

export import check = checkModule.check;
export import DEFAULT_MIN_UNAVAILABLE_MS = checkModule.DEFAULT_MIN_UNAVAILABLE_MS;

export import promisesNoLoss = expectations.promisesNoLoss;
