export * from './payload-store.js';
export * from './staged-uploads.js';
