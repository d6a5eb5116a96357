export * from './chain.js';
export * from './mtls-client.js';
export * from './test-recipient.js';
export * from './wait-for.js';
export * from './free-ports.js';
export * from './scratch-database.js';
export * from './infra-env.js';
export * from './scratch-config.js';
