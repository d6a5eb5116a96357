import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { kafkaTlsFromEnv } from '../src/kafka-tls.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const ca = file('ca.pem', 'CA PEM');
const cert = file('cert.pem', 'CERT PEM');
const key = file('key.pem', 'KEY PEM');

describe('kafkaTlsFromEnv', () => {
  it('is plaintext without a CA', () => {
    assert.equal(kafkaTlsFromEnv({}), undefined);
  });

  it('reads the CA alone (server-authenticated TLS) and with a client certificate and key (mutual TLS)', () => {
    assert.deepEqual(kafkaTlsFromEnv({ KAFKA_SSL_CA_FILE: ca }), { ca: 'CA PEM' });
    assert.deepEqual(kafkaTlsFromEnv({ KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key }), { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('refuses a certificate without its key, or client files without a CA', () => {
    assert.throws(() => kafkaTlsFromEnv({ KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert }), /go together/);
    assert.throws(() => kafkaTlsFromEnv({ KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key }), /need KAFKA_SSL_CA_FILE/);
  });

  it('fails on a missing file instead of starting without TLS', () => {
    assert.throws(() => kafkaTlsFromEnv({ KAFKA_SSL_CA_FILE: join(dir, 'absent.pem') }), /ENOENT/);
  });
});
