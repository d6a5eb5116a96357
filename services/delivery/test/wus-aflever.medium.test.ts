import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Recipient } from '@poort/message-types';
import { generateTestPki, verifierFromFiles, type TestPki } from '@poort/pki';
import { TestWusRecipient, aPayloadRef, anEnvelope, decryptWithPyca } from '@poort/testing';
import { AFLEVER_SERVICE, KOPPELVLAK_XSD_PATH, NS, afleverRequestXml } from '@poort/wus';
import { signSoapMessage } from '@poort/ws-security';
import { compileSchema } from '@poort/xml';

import { afleverRequestOf } from '../src/delivery/channels/aflever-request.js';
import { WusAfleverChannel, afleverMessageId, type WusAfleverSettings } from '../src/delivery/channels/wus-aflever.js';
import { DeliveryCredentials, DeliveryCredentialsError, deliveryCredentialSettings } from '../src/delivery/delivery-credentials.js';

// The WUS channel against a real afleverservice (libs/testing's TestWusRecipient) over real two-way TLS.

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../../..');
let pki: TestPki;
let settings: WusAfleverSettings;
let recipient: TestWusRecipient;
const attachment = { ref: aPayloadRef({ mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf' }), bytes: Buffer.from('%PDF-1.7 bijlage') };

function profile(overrides: Partial<Recipient> = {}): Recipient {
  return {
    id: 'wus-a',
    name: 'WUS recipient A',
    oin: pki.clients['recipient-a'].oin,
    channel: 'wus',
    endpoint: recipient.url,
    timeout: 5_000,
    certificate: pki.clients['recipient-a'].cert,
    sign: true,
    encrypt: false,
    attachments: true,
    concurrency: 4,
    ...overrides,
  };
}

function attempt(target: Recipient, content = Buffer.from('<Invoice>€ 12,50 &amp; meer</Invoice>')) {
  const payload = aPayloadRef({ size: content.length, bestandsnaam: 'factuur één.xml' });
  const envelope = anEnvelope({
    aanleverkenmerk: 'ref <1> & "2"',
    identiteitOntvanger: { nummer: pki.clients['recipient-a'].oin, type: 'OIN' },
    rolOntvanger: 'Ontvanger',
    attachments: [attachment.ref],
    content: payload,
  });
  return { recipient: target, envelope, payload, content, attachments: target.attachments ? [attachment.ref] : [], read: async () => attachment.bytes };
}

/** The channel as the service makes it: Poort's certificates (the test PKI's server) checked for these recipients. */
function channelFor(targets: readonly Recipient[]): WusAfleverChannel {
  const credentials = DeliveryCredentials.load(deliveryCredentialSettings({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain }), targets);
  return new WusAfleverChannel(targets, credentials, settings);
}

/** POSTs raw SOAP with a TLS client credential of the test PKI: what Poort would not send. */
function postRaw(body: string, as: { cert: string; key: string }): Promise<{ status: number; body: string }> {
  const agent = new Agent({ cert: readFileSync(as.cert), key: readFileSync(as.key), ca: readFileSync(pki.caChain), checkServerIdentity: () => undefined });
  return new Promise((resolve, reject) => {
    const sent = request(recipient.url, { method: 'POST', agent, headers: { 'content-type': 'text/xml; charset=utf-8' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (text += piece));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

function signedRequest(signer: { certificatePem: string; privateKeyPem: string }, body: string, messageId = `urn:uuid:${crypto.randomUUID()}`): string {
  const wsa = (localName: string, text: string) => ({ namespaceUri: NS.wsa, prefix: 'wsa', localName, text });
  return signSoapMessage({ headers: [wsa('To', recipient.url), wsa('Action', AFLEVER_SERVICE.operations[0]!.action), wsa('MessageID', messageId)], body }, signer);
}

const credentials = (files: { cert: string; key: string }) => ({ certificatePem: readFileSync(files.cert, 'utf8'), privateKeyPem: readFileSync(files.key, 'utf8') });

before(async () => {
  pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
  settings = {
    signers: verifierFromFiles({ caFile: pki.caChain, crlFile: pki.crl, purpose: 'signing', revocation: 'hard-fail' }),
    schema: compileSchema(KOPPELVLAK_XSD_PATH),
    policy: {},
  };
  recipient = await new TestWusRecipient({ port: 0, credentials: pki.clients['recipient-a'], caFile: pki.caChain }).start();
});

after(() => recipient.stop());

beforeEach(() => {
  recipient.behaviour = 'accept';
  recipient.signAs = credentials(pki.clients['recipient-a']);
  recipient.accepted.clear();
  recipient.refused.length = 0;
});

describe('WUS afleverservice channel', () => {
  it('delivers a signed afleverRequest with every field; the recipient verifies it and holds the exact bytes', async () => {
    const target = profile();
    const channel = channelFor([target]);
    const delivery = attempt(target);
    const outcome = await channel.deliver(delivery);

    const received = recipient.forKenmerk(delivery.envelope.kenmerk);
    assert.ok(received, JSON.stringify(recipient.refused));
    assert.deepEqual(outcome, { kind: 'delivered', httpStatus: 200, tijdstempelAfgeleverd: received.tijdstempelAfgeleverd });
    assert.deepEqual(received.content, { mimeType: 'application/xml', bestandsnaam: 'factuur één.xml', bytes: delivery.content });
    assert.deepEqual(received.bijlagen, [{ mimeType: 'application/pdf', bestandsnaam: 'bijlage.pdf', bytes: attachment.bytes }]);
    assert.equal(received.messageId, afleverMessageId(delivery.envelope.kenmerk, 'wus-a'));
    assert.equal(received.tlsOin, '00000099000000000000');
    assert.equal(received.signerOin, '00000099000000000000');
    const { envelope } = delivery;
    assert.deepEqual(received.fields, {
      kenmerk: envelope.kenmerk,
      berichtsoort: envelope.berichtsoort,
      berichtkenmerk: envelope.kenmerk,
      aanleverkenmerk: 'ref <1> & "2"',
      tijdstempelAangeleverd: envelope.tijdstempelAangeleverd,
      rolBelanghebbende: 'Bedrijf',
      identiteitAanleveraar: envelope.sender.oin,
      rolOntvanger: 'Ontvanger',
      'identiteitBelanghebbende/nummer': '001000044B37',
      'identiteitBelanghebbende/type': 'Fi',
      'identiteitOntvanger/nummer': pki.clients['recipient-a'].oin,
      'identiteitOntvanger/type': 'OIN',
    });
    assert.equal(received.extras['inhoudSha256'], delivery.payload.sha256);
  });

  it('delivers content of 16 MiB from a stream: larger than a document @poort/xml parses by default once it is base64', async () => {
    const target = profile({ attachments: false, timeout: 60_000 });
    const content = randomBytes(16 * 1024 * 1024);
    const delivery = { ...attempt(target, content), content: Readable.from([content.subarray(0, 1_000_000), content.subarray(1_000_000)]) };
    const outcome = await channelFor([target]).deliver(delivery);
    assert.equal(outcome.kind, 'delivered', JSON.stringify(outcome));
    const received = recipient.forKenmerk(delivery.envelope.kenmerk);
    assert.ok(received);
    assert.ok(received.content.bytes.equals(content));
    assert.deepEqual(received.bijlagen, [], 'attachments: false in the profile');
  });

  it('content over the XSD\'s 20 MiB is undeliverable, not retried', async () => {
    const target = profile();
    const outcome = await channelFor([target]).deliver({ ...attempt(target), content: Readable.from([Buffer.alloc(20_971_521)]) });
    assert.equal(outcome.kind, 'undeliverable');
  });

  it('sends a retry with the same MessageID: the recipient keeps the message once', async () => {
    const target = profile();
    const channel = channelFor([target]);
    const delivery = attempt(target);
    const first = await channel.deliver(delivery);
    const again = await channel.deliver(delivery);
    assert.equal(first.kind, 'delivered');
    assert.deepEqual(again, first);
    assert.equal([...recipient.accepted.values()].filter((aflevering) => aflevering.kenmerk === delivery.envelope.kenmerk).length, 1);
  });

  it('a SOAP fault from the recipient is a refusal with its foutcode', async () => {
    recipient.behaviour = 'fault';
    const target = profile();
    const outcome = await channelFor([target]).deliver(attempt(target));
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.foutcode, 'AFO901');
    assert.match(outcome.kind === 'refused' ? outcome.detail : '', /AFO901 de ontvanger kent deze belanghebbende niet/);
  });

  it('a recipient that answers 503 failed the attempt (retried)', async () => {
    recipient.behaviour = 'down';
    const target = profile();
    const outcome = await channelFor([target]).deliver(attempt(target));
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /HTTP 503/);
  });

  it('an unreachable recipient failed the attempt', async () => {
    const target = profile({ endpoint: 'https://127.0.0.1:1/wus/2.0/afleverservice/1.2' });
    const outcome = await channelFor([target]).deliver(attempt(target));
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /ECONNREFUSED/);
  });

  it('an answer signed by someone else than the recipient is not believed: failed, not delivered', async () => {
    recipient.signAs = credentials(pki.clients['recipient-b']);
    const target = profile();
    const outcome = await channelFor([target]).deliver(attempt(target));
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /onbetrouwbaar antwoord.*niet met het certificaat van het ontvangersprofiel/);

    // Without a pinned certificate the signer must still carry the recipient's OIN.
    const unpinned = profile({ certificate: undefined });
    const channel = channelFor([unpinned]);
    const byOin = await channel.deliver(attempt(unpinned));
    assert.equal(byOin.kind, 'failed');
    assert.match(byOin.kind === 'failed' ? byOin.detail : '', /ondertekend door OIN 00000099000000000102, de ontvanger is OIN 00000099000000000101/);
  });

  it('a recipient whose TLS certificate is not the profile\'s is not called', async () => {
    const target = profile({ certificate: pki.clients['recipient-b'].cert });
    const outcome = await channelFor([target]).deliver(attempt(target));
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /is not the certificate its profile pins/);
    assert.equal(recipient.accepted.size, 0);
  });

  it('the recipient refuses Poort\'s channel with the wrong client certificate, and an unsigned request', async () => {
    const wrongClient = profile({ clientCertificate: { cert: pki.clients['recipient-b'].cert, key: pki.clients['recipient-b'].key } });
    const refused = await channelFor([wrongClient]).deliver(attempt(wrongClient));
    assert.equal(refused.kind, 'refused');
    assert.equal(refused.kind === 'refused' && refused.foutcode, '0002');
    assert.match(recipient.refused.at(-1)!.reason, /TLS-clientcertificaat van OIN 00000099000000000102/);

    const untrusted = profile({ clientCertificate: { cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key } });
    const handshake = await channelFor([untrusted]).deliver(attempt(untrusted));
    assert.equal(handshake.kind, 'failed', 'the TLS handshake itself fails');

    const unsigned = profile({ sign: false });
    const outcome = await channelFor([unsigned]).deliver(attempt(unsigned));
    assert.equal(outcome.kind, 'refused');
    assert.match(recipient.refused.at(-1)!.reason, /WS-Security/);
    assert.equal(recipient.accepted.size, 0);
  });

  it('the recipient refuses forgeries: signed with another key, a tampered body', async () => {
    const target = profile();
    const body = afleverRequestXml(await afleverRequestOf(attempt(target), undefined));

    const otherSigner = await postRaw(signedRequest(credentials(pki.clients['recipient-b']), body), pki.server);
    assert.equal(otherSigner.status, 500);
    assert.match(otherSigner.body, /<foutcode>0002<\/foutcode>/);
    assert.match(recipient.refused.at(-1)!.reason, /ondertekend door OIN 00000099000000000102/);

    const untrustedSigner = await postRaw(signedRequest(credentials(pki.clients.untrusted), body), pki.server);
    assert.equal(untrustedSigner.status, 500);
    assert.match(recipient.refused.at(-1)!.reason, /niet vertrouwd/);

    const genuine = signedRequest(credentials(pki.server), body);
    const tampered = genuine.replace(/<inhoud>[^<]*<\/inhoud>/, `<inhoud>${Buffer.from('<Invoice>€ 99.999,00</Invoice>').toString('base64')}</inhoud>`);
    assert.notEqual(tampered, genuine);
    const answer = await postRaw(tampered, pki.server);
    assert.equal(answer.status, 500);
    assert.match(recipient.refused.at(-1)!.reason, /WS-Security: .*digest/i);
    assert.equal(recipient.accepted.size, 0);

    // The genuine one, for contrast, is accepted.
    assert.equal((await postRaw(genuine, pki.server)).status, 200);
    assert.equal(recipient.accepted.size, 1);
  });

  it('refuses to start without readable credentials, naming the recipient and the file', () => {
    const target = profile({ clientCertificate: { cert: pki.server.cert, key: '/nonexistent/key.pem' } });
    assert.throws(() => channelFor([target]), (error: unknown) => {
      assert.ok(error instanceof DeliveryCredentialsError);
      assert.match(error.message, /the clientCertificate of recipient wus-a: \/nonexistent\/key\.pem cannot be read/);
      return true;
    });
    const mismatched = profile({ clientCertificate: { cert: pki.server.cert, key: pki.clients['recipient-b'].key } });
    assert.throws(() => channelFor([mismatched]), /does not belong to the certificate/);
    const client = { cert: pki.server.cert, key: pki.server.key, setting: 'TLS_CERT_FILE/TLS_KEY_FILE' };
    assert.throws(() => DeliveryCredentials.load({ client, trustFile: pki.caChain }, [profile()]), /WUS_SIGNING_CERT_FILE/);
    // No WUS recipient that signs: no signing key is needed.
    assert.doesNotThrow(() => new WusAfleverChannel([profile({ sign: false })], DeliveryCredentials.load({ client, trustFile: pki.caChain }, [profile({ sign: false })]), settings));
  });

  it('encrypts berichtInhoud and each bijlage for a recipient that wants it: an independent decryptor gets the exact bytes', async () => {
    const target = profile({ encrypt: true });
    const delivery = attempt(target);
    const outcome = await channelFor([target]).deliver(delivery);
    assert.equal(outcome.kind, 'delivered', JSON.stringify(recipient.refused));
    const received = recipient.forKenmerk(delivery.envelope.kenmerk)!;
    assert.equal(received.content.mimeType, 'application/xenc+xml');
    assert.ok(!received.content.bytes.includes(Buffer.from('12,50')), 'nothing of the content in the clear');
    assert.ok(decryptWithPyca(received.content.bytes, pki.clients['recipient-a'].key).equals(delivery.content));
    assert.deepEqual(received.bijlagen.map((bijlage) => [bijlage.bestandsnaam, bijlage.mimeType]), [['bijlage.pdf', 'application/xenc+xml']]);
    assert.ok(decryptWithPyca(received.bijlagen[0]!.bytes, pki.clients['recipient-a'].key).equals(attachment.bytes));
  });
});
