export * from './envelope.js';
export * from './events.js';
export * from './status-codes.js';
export * from './status-event.js';
export * from './topics.js';
export * from './koppelvlak.js';
export * from './refusal.js';
export * from './text.js';
