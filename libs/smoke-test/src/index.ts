export * from './mtls-json.js';
export * from './smoke-test.js';
export * from './verdict.js';
