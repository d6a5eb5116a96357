import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { decryptWithNodeJose, parseMultipart, waitFor } from '@poort/testing';

import { E2eChain, SAMPLES, aanlevering } from '../src/index.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/*
 * Encryption for recipients, end to end: a recipient whose profile says `encrypt: true` receives the content and each
 * attachment as a JWE to its certificate, which an independent library (node-jose, not Poort's encrypting code)
 * decrypts with the recipient's key to the bytes the sender submitted.
 */
describe('deliveries encrypted for the recipient, end to end', () => {
  let e2e: E2eChain;

  before(async () => {
    e2e = await E2eChain.start('encrypted', {
      scenarioRecipients: {
        versleuteld: { behaviour: 'accept', retryWindow: '1m', https: true, profile: { encrypt: true } },
        'zonder-bijlagen': { behaviour: 'accept', retryWindow: '1m', https: true, profile: { encrypt: true, attachments: false } },
      },
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  // A PDF-like attachment with every byte value: what must arrive is the exact bytes.
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.from(Array.from({ length: 256 }, (_, byte) => byte))]);
  const bijlage = { mimeType: 'application/pdf', bestandsnaam: 'specificatie.pdf', inhoud: pdf.toString('base64') };

  test('content and attachment arrive as JWEs that an independent library decrypts to the submitted bytes', async () => {
    const receipt = await e2e.submit(aanlevering('versleuteld', SAMPLES.invoice, { berichtBijlagen: [bijlage] }));
    assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');
    const delivered = await waitFor('the delivery', async () => e2e.recipient('versleuteld').forKenmerk(kenmerk));
    assert.ok(delivered.verified, 'signed and over two-way TLS as every https delivery');

    const parts = parseMultipart(delivered.body, String(delivered.headers['content-type']));
    assert.deepEqual(
      parts.map((part) => [part.headers['x-poort-role'], part.headers['content-type'], part.headers['x-poort-content-type']]),
      [
        ['inhoud', 'application/jose', 'application/xml'],
        ['bijlage', 'application/jose', 'application/pdf'],
      ],
    );
    const key = readFileSync(e2e.pki.clients['recipient-a'].key);
    const [inhoud, pdfPart] = await Promise.all(parts.map((part) => decryptWithNodeJose(part.body, key)));
    assert.ok(inhoud!.plaintext.equals(SAMPLES.invoice), 'the content decrypts to the submitted invoice');
    assert.ok(pdfPart!.plaintext.equals(pdf), 'the attachment decrypts to the submitted PDF');
    assert.equal(pdfPart!.header.cty, 'application/pdf');
    assert.equal(parts[1]!.headers['x-poort-content-sha256'], sha256(pdf));
    assert.ok(!delivered.body.includes(SAMPLES.invoice.subarray(0, 64)), 'nothing of the content travels in the clear');
  });

  test('a recipient that wants no attachments gets the content alone, encrypted', async () => {
    const receipt = await e2e.submit(aanlevering('zonder-bijlagen', SAMPLES.invoice, { berichtBijlagen: [bijlage] }));
    const kenmerk = String(receipt.body.kenmerk);
    await e2e.waitForStatus(kenmerk, '400');
    const delivered = await waitFor('the delivery', async () => e2e.recipient('zonder-bijlagen').forKenmerk(kenmerk));
    assert.equal(delivered.headers['content-type'], 'application/jose');
    assert.equal(delivered.headers['x-poort-content-type'], 'application/xml');
    const decrypted = await decryptWithNodeJose(delivered.body, readFileSync(e2e.pki.clients['recipient-a'].key));
    assert.ok(decrypted.plaintext.equals(SAMPLES.invoice));
  });
});
