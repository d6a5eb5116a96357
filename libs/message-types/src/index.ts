export * from './duration.js';
export * from './message-catalog.js';
export * from './schema.js';
export * from './renditions.js';
