export * from './background-loop.js';
export * from './db.js';
export * from './inbox.js';
export * from './migrations.js';
export * from './outbox.js';
export * from './outbox-relay.js';
export * from './statement.js';
export * from './wakeup.js';
