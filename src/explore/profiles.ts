import type { ProfileName } from '../sim/schedule.js';
import type { ScheduleArbOptions } from './arbitraries.js';

/** What each named fault profile lets fast-check draw; swarm flags pick a subset per run. */
export const EXPLORE_PROFILES: Record<ProfileName, Omit<ScheduleArbOptions, 'nodes'>> = {
  none: { faultKinds: [], lossy: false },
  lossy: { faultKinds: [], lossy: true },
  partitions: { faultKinds: ['partition', 'isolate', 'cut'], lossy: false },
  crashes: { faultKinds: ['crash'], lossy: false },
  chaos: { faultKinds: ['crash', 'partition', 'isolate', 'cut'], lossy: true },
};
