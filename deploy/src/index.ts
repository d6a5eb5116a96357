export * from './paths.js';
export * from './tools.js';
export * from './render.js';
export * from './pod-security.js';
export * from './chart-cases.js';
export * from './local-cluster.js';
export * from './local-chain.js';
