export * from './emissions.js';
export * from './stage-runner.js';
