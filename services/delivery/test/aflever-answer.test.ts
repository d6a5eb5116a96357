import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import type { Recipient } from '@poort/message-types';
import { TrustStoreVerifier, generateTestPki, type TestPki } from '@poort/pki';
import { AFLEVER_SERVICE, KOPPELVLAK_XSD_PATH, NS, WusFault, afleverResponseXml, faultBody, soapResponse, unsignedEnvelope } from '@poort/wus';
import { signSoapMessage } from '@poort/ws-security';
import { compileSchema } from '@poort/xml';

import { outcomeOfAfleverAnswer, type AfleverExpectations } from '../src/delivery/channels/aflever-answer.js';

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
const OPERATION = AFLEVER_SERVICE.operations[0]!;
let pki: TestPki;
let expect: AfleverExpectations;

before(async () => {
  pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
  const recipient: Recipient = {
    id: 'wus-a', name: 'A', oin: pki.clients['recipient-a'].oin, channel: 'wus', timeout: 1_000, sign: true, encrypt: false, attachments: true, concurrency: 1,
  };
  expect = {
    recipient,
    kenmerk: 'k-1',
    messageId: 'urn:poort:aflevering:k-1%3Awus-a',
    signatureValue: undefined,
    pinned: undefined,
    signers: new TrustStoreVerifier(readFileSync(pki.caChain, 'utf8'), { purpose: 'signing' }),
    schema: compileSchema(KOPPELVLAK_XSD_PATH),
    policy: {},
    now: new Date(),
  };
});

const fault = (faultcode: 'Client' | 'Server', foutcode: string) =>
  Buffer.from(unsignedEnvelope(soapResponse({ action: OPERATION.faultAction }, faultBody(AFLEVER_SERVICE, new WusFault(faultcode, foutcode, 'reden')))));

function signedResponse(kenmerk: string, relatesTo = expect.messageId, signer = pki.clients['recipient-a']): Buffer {
  const wsa = (localName: string, text: string) => ({ namespaceUri: NS.wsa, prefix: 'wsa', localName, text });
  const body = afleverResponseXml({ kenmerk, berichtkenmerk: kenmerk, tijdstempelAfgeleverd: '2026-01-02T03:04:05Z' });
  const credentials = { certificatePem: readFileSync(signer.cert, 'utf8'), privateKeyPem: readFileSync(signer.key, 'utf8') };
  return Buffer.from(signSoapMessage({ headers: [wsa('Action', OPERATION.responseAction), wsa('RelatesTo', relatesTo)], body }, credentials));
}

describe('what an afleverservice answer comes to', () => {
  it('a signed afleverResponse for this kenmerk from the recipient: delivered with tijdstempelAfgeleverd', async () => {
    assert.deepEqual(await outcomeOfAfleverAnswer(200, signedResponse('k-1'), expect), { kind: 'delivered', httpStatus: 200, tijdstempelAfgeleverd: '2026-01-02T03:04:05Z' });
  });

  it('a Client fault is a refusal with its foutcode; a Server fault a failure to retry', async () => {
    assert.deepEqual(await outcomeOfAfleverAnswer(500, fault('Client', 'AFO777'), expect), { kind: 'refused', foutcode: 'AFO777', detail: 'SOAP-fout Client: AFO777 reden' });
    assert.deepEqual(await outcomeOfAfleverAnswer(500, fault('Server', 'AFS400'), expect), { kind: 'failed', detail: 'SOAP-fout Server: AFS400 reden' });
  });

  it('what is not a verified afleverResponse for this message fails the attempt', async () => {
    const cases: [number, Buffer, RegExp][] = [
      [502, Buffer.from('<html>bad gateway</html'), /geen XML/],
      [503, Buffer.from('<html/>'), /geen SOAP 1.1-bericht/],
      [200, Buffer.from(unsignedEnvelope(soapResponse({ action: OPERATION.responseAction }, afleverResponseXml({ kenmerk: 'k-1', berichtkenmerk: 'k-1', tijdstempelAfgeleverd: '2026-01-02T03:04:05Z' })))), /WS-Security/],
      [200, signedResponse('k-2'), /gaat over kenmerk k-2/],
      [200, signedResponse('k-1', 'urn:other'), /wsa:RelatesTo urn:other/],
      [200, signedResponse('k-1', expect.messageId, pki.clients['recipient-b']), /ondertekend door OIN 00000099000000000102/],
      [200, signedResponse('k-1', expect.messageId, pki.clients.untrusted), /niet vertrouwd/],
    ];
    for (const [status, body, detail] of cases) {
      const outcome = await outcomeOfAfleverAnswer(status, body, { ...expect, signatureValue: 'sig' });
      assert.equal(outcome.kind, 'failed', detail.source);
      assert.match(outcome.kind === 'failed' ? outcome.detail : '', detail);
    }
  });
});
