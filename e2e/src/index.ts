export * from './e2e-chain.js';
export * from './raw-http.js';
export * from './chaos.js';
export * from './bulk-client.js';
export * from './terminal.js';
export * from './large-file.js';
export * from './grote-berichten-client.js';
