export * from './payload-store.js';
export * from './staged-uploads.js';
export * from './collection-cadence.js';
