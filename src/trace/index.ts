export * from './format.js';
export * from './io.js';
export * from './record.js';
export * from './replay.js';
