import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_RETRY, backoffMs, busyWaitMs, retryAfterMs } from '../src/retry.js';
import { networkErrorKind } from '../src/poort-http.js';

const now = new Date('2026-12-01T08:00:00Z');

test('Retry-After in seconds or as an HTTP date, capped; absent or unreadable gives none', () => {
  assert.equal(retryAfterMs('5', now), 5_000);
  assert.equal(retryAfterMs(['2'], now), 2_000);
  assert.equal(retryAfterMs('Tue, 01 Dec 2026 08:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Tue, 01 Dec 2026 07:59:00 GMT', now), 0);
  assert.equal(retryAfterMs('3600', now), DEFAULT_RETRY.maxWaitMs);
  assert.equal(retryAfterMs(undefined, now), undefined);
  assert.equal(retryAfterMs('soon', now), undefined);
});

test('back-off doubles per attempt up to the cap, jittered within the upper half', () => {
  assert.equal(backoffMs(1, () => 0), 500);
  assert.equal(backoffMs(1, () => 0.999_999), 1_000);
  assert.equal(backoffMs(3, () => 0), 2_000);
  assert.equal(backoffMs(30, () => 0.999_999), DEFAULT_RETRY.maxWaitMs);
});

test('a busy answer waits what Retry-After says, spread by up to a fifth; without it, the back-off', () => {
  assert.equal(busyWaitMs(10_000, 1, () => 0), 10_000);
  assert.equal(busyWaitMs(10_000, 1, () => 0.999_999), 12_000);
  assert.equal(busyWaitMs(undefined, 2, () => 0), 1_000);
  assert.equal(busyWaitMs(0, 1, () => 0), 250);
});

test('TLS failures are told apart from connections that may come back', () => {
  assert.equal(networkErrorKind(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })), 'tls');
  assert.equal(networkErrorKind(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })), 'tls');
  assert.equal(networkErrorKind(Object.assign(new Error('x'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })), 'tls');
  assert.equal(networkErrorKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'transient');
  assert.equal(networkErrorKind(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'transient');
  assert.equal(networkErrorKind(new Error('socket hang up')), 'transient');
  assert.equal(networkErrorKind(new TypeError('x is not a function')), 'other');
});
