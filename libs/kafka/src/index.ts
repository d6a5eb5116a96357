export * from './batch-consumer.js';
export * from './kafka-bus.js';
export * from './types.js';
