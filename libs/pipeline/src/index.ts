export * from './dead-letters.js';
export * from './emissions.js';
export * from './fault-injection.js';
export * from './stage-runner.js';
export * from './unit-of-work.js';
