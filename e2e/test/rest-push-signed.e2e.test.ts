import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { TamperingProxy, freePortBlock, waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering, type StatusResultaat } from '../src/index.js';

const codes = (statuses: readonly StatusResultaat[]) => statuses.map((status) => status.statuscode);

/*
 * REST push authenticated both ways, end to end: recipients on https that take only Poort's client certificate and
 * deliveries signed by Poort (RFC 9421 with a Content-Digest), their own certificate pinned in their profiles.
 */
describe('REST push with two-way TLS and HTTP Message Signatures, end to end', () => {
  let e2e: E2eChain;
  let proxy: TamperingProxy;

  before(async () => {
    const proxyPort = await freePortBlock(1, 30_000, 40_000);
    e2e = await E2eChain.start('rest-signed', {
      scenarioRecipients: {
        'rest-signed': { behaviour: 'accept', retryWindow: '1m', https: true },
        // Behind a man in the middle that holds every key but Poort's signing key, and changes a byte of each body.
        'rest-tampered': { behaviour: 'accept', retryWindow: '1m', https: true, endpoint: `https://127.0.0.1:${proxyPort}/inbox` },
      },
    });
    proxy = await new TamperingProxy(proxyPort, {
      target: e2e.recipient('rest-tampered').url,
      serverCert: e2e.pki.clients['recipient-a'].cert,
      serverKey: e2e.pki.clients['recipient-a'].key,
      ca: e2e.pki.caChain,
      clientCert: e2e.pki.server.cert,
      clientKey: e2e.pki.server.key,
      tamper: TamperingProxy.body,
    }).start();
  });
  after(async () => {
    await proxy?.stop();
    await e2e?.stop();
  });

  test('a message to an https recipient reaches 400; the recipient verified Poort\'s certificate, signature and digest', async () => {
    const receipt = await e2e.submit(aanlevering('rest-signed', SAMPLES.invoice));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '400');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '400']);

    const recipient = e2e.recipient('rest-signed');
    const delivered = await waitFor('the delivery', async () => recipient.forKenmerk(kenmerk));
    assert.deepEqual(delivered.body, SAMPLES.invoice);
    assert.equal(delivered.verified?.clientOin, e2e.pki.server.oin);
    const poortThumbprint = createHash('sha256').update(new X509Certificate(readFileSync(e2e.pki.server.cert)).raw).digest('hex');
    assert.equal(delivered.verified?.signature.keyid, poortThumbprint);
    assert.equal(delivered.verified?.signature.algorithm, 'rsa-pss-sha512');
    for (const component of ['@method', '@target-uri', 'content-digest', 'x-poort-message-id', 'x-poort-kenmerk']) {
      assert.ok(delivered.verified?.signature.covered.includes(component), `${component} is signed`);
    }
    assert.deepEqual(recipient.refusals, []);
  });

  test('a body changed on the way is refused by the recipient (401): the message ends at 410 with the recipient\'s reason', async () => {
    const receipt = await e2e.submit(aanlevering('rest-tampered', SAMPLES.invoice));
    const kenmerk = String(receipt.body.kenmerk);
    const statuses = await e2e.waitForStatus(kenmerk, '410');
    assert.deepEqual(codes(statuses), ['100', '110', '200', '301', '405', '410']);
    assert.match(statuses[5]!.statusFoutcode?.foutbeschrijving ?? '', /HTTP 401: content-digest does not match the body received/);
    const recipient = e2e.recipient('rest-tampered');
    assert.equal(recipient.forKenmerk(kenmerk), undefined);
    assert.equal(recipient.refusals[0]?.messageId, `${kenmerk}:rest-tampered`);
  });
});
