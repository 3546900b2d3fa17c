/**
 * What names a file as a raft-check trace, apart from the schema in format.ts: recording a
 * trace needs these two values, and must not load the schema library to get them.
 */
export const TRACE_FORMAT = 'raft-check-trace';
export const TRACE_VERSION = 1;
