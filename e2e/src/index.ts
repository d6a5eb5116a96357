export * from './e2e-chain.js';
