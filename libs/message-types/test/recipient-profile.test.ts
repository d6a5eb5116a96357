import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { stringify } from 'yaml';

import { CatalogError, MessageCatalog, Recipient } from '../src/index.js';

const base = { id: 'ontvanger', name: 'Ontvanger', oin: '00000099000000000101' };
const problems = (profile: object): string[] => {
  const result = Recipient.safeParse({ ...base, ...profile });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('recipient delivery profiles', () => {
  it('default to a signed REST push without encryption, attachments included', () => {
    const profile = Recipient.parse({ ...base, endpoint: 'https://ontvanger.example/inbox' });
    assert.deepEqual(
      { channel: profile.channel, sign: profile.sign, encrypt: profile.encrypt, attachments: profile.attachments, concurrency: profile.concurrency },
      { channel: 'rest', sign: true, encrypt: false, attachments: true, concurrency: 32 },
    );
  });

  it('refuse what cannot work, saying where', () => {
    assert.deepEqual(problems({ channel: 'rest' }), ['endpoint: a rest recipient needs an endpoint']);
    assert.deepEqual(problems({ channel: 'wus', endpoint: 'http://ontvanger.example/aflever' }), ['endpoint: a WUS afleverservice is called over https (two-way TLS)']);
    assert.deepEqual(problems({ channel: 'pull', encrypt: true }), ["certificate: encryption needs the recipient's certificate"]);
    assert.deepEqual(problems({ channel: 'pull' }), []);
  });

  it('are checked at start-up: a certificate file that is not there stops the catalog', () => {
    const dir = mkdtempSync(join(tmpdir(), 'poort-catalog-'));
    mkdirSync(join(dir, 'message-types'));
    writeFileSync(join(dir, 'schema.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
    writeFileSync(
      join(dir, 'message-types/t.yaml'),
      stringify({ berichtsoort: 't', description: 't', authorization: { allowedSenders: ['00000099000000000001'] }, validation: { schema: 'schema.xsd' }, routing: { routes: [{ recipient: 'ontvanger' }] } }),
    );
    writeFileSync(join(dir, 'recipients.yaml'), stringify({ recipients: [{ ...base, channel: 'pull', certificate: 'certs/ontvanger.pem' }] }));
    assert.throws(() => MessageCatalog.load(dir), (error: unknown) => error instanceof CatalogError && /the certificate of recipient ontvanger .*certs\/ontvanger\.pem\) does not exist/.test(error.message));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs/ontvanger.pem'), 'PEM');
    assert.equal(MessageCatalog.load(dir).recipient('ontvanger').certificate, join(dir, 'certs/ontvanger.pem'));
  });
});
