export * from './emissions.js';
export * from './stage-runner.js';
export * from './unit-of-work.js';
