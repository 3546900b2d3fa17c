export { scheduleArb, type ScheduleArbOptions } from './arbitraries.js';
export { explore, exploreArb, scheduleAt, type ExploreOptions, type ExploreResult, type ExploreFailure, type Progress } from './explore.js';
export { EXPLORE_PROFILES } from './profiles.js';
export { minimizeSchedule, type Minimized } from './minimize.js';
