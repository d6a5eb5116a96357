export * from './client-identity.guard.js';
export * from './client-identity.setup.js';
export * from './operator-access.js';
export * from './wus/wus-endpoint.module.js';
export * from './wus/wus-http.js';
