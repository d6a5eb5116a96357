export * from './payload-store.js';
