import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Recipient } from '@poort/message-types';
import { generateTestPki, type TestPki } from '@poort/pki';
import { TamperingProxy, TestRecipient, anEnvelope, aPayloadRef, freePortBlock, requiredEnv } from '@poort/testing';

import { PIN_MISMATCH } from '../src/delivery/channels/recipient-agent.js';
import { RestPushChannel } from '../src/delivery/channels/rest-push.js';
import { DeliveryCredentials, deliveryCredentialSettings, thumbprintOf } from '../src/delivery/delivery-credentials.js';
import { NO_STORED_FILES } from './attempt-fixture.js';

/*
 * The REST channel over real TLS against an https test recipient that, like a production recipient, accepts only
 * Poort's client certificate and checks Poort's RFC 9421 signature and the Content-Digest of what it received.
 */

let pki: TestPki;
let recipient: TestRecipient;
let ports: number;
const proxies: TamperingProxy[] = [];
const channels: RestPushChannel[] = [];

before(async () => {
  pki = await generateTestPki(join(requiredEnv('POORT_ROOT'), '.local/test-pki'), { ifMissing: true });
  ports = await freePortBlock(4, 20_000, 30_000);
  recipient = await new TestRecipient(ports, 'accept', '127.0.0.1', {
    cert: pki.clients['recipient-a'].cert,
    key: pki.clients['recipient-a'].key,
    ca: pki.caChain,
    clientOin: pki.server.oin,
    signingCertificates: [pki.server.cert],
  }).start();
});

after(async () => {
  for (const channel of channels) channel.close();
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await recipient.stop();
});

beforeEach(() => {
  recipient.deliveries.clear();
  recipient.refusals.length = 0;
});

function profile(overrides: Partial<Recipient> = {}): Recipient {
  return {
    id: 'recipient-a',
    name: 'Recipient A',
    oin: pki.clients['recipient-a'].oin,
    channel: 'rest',
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

/** The channel as the delivery service makes it: Poort's certificate as client and signing credential. */
function channelFor(target: Recipient): RestPushChannel {
  const settings = deliveryCredentialSettings({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain });
  const channel = new RestPushChannel(DeliveryCredentials.load(settings, [target]), [target]);
  channels.push(channel);
  return channel;
}

function message(body = Buffer.from('<Invoice>honderd euro</Invoice>')) {
  const payload = aPayloadRef({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  return { envelope: anEnvelope({ content: payload, aanleverkenmerk: 'ref-€-1' }), payload, body };
}

describe('REST push over two-way TLS, signed', () => {
  it('delivers: the recipient saw Poort\'s client certificate and verified Poort\'s signature and the body\'s digest', async () => {
    const target = profile();
    const { envelope, payload, body } = message();
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.deepEqual(outcome, { kind: 'delivered', httpStatus: 200 });
    const received = recipient.forKenmerk(envelope.kenmerk);
    assert.ok(received, `refusals: ${JSON.stringify(recipient.refusals)}`);
    assert.deepEqual(received.body, body);
    assert.equal(received.verified?.clientOin, pki.server.oin);
    assert.equal(received.verified?.signature.keyid, thumbprintOf(new X509Certificate(readFileSync(pki.server.cert))));
    assert.equal(received.verified?.signature.algorithm, 'rsa-pss-sha512');
    assert.ok(received.verified?.signature.covered.includes('x-poort-aanleverkenmerk'));
  });

  it('delivers a streamed body, its Content-Digest taken from the stored SHA-256 of those bytes', async () => {
    const target = profile();
    const { envelope, payload, body } = message(Buffer.alloc(300_000, 'x'));
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), ...NO_STORED_FILES });
    assert.deepEqual(outcome, { kind: 'delivered', httpStatus: 200 });
    assert.equal(recipient.forKenmerk(envelope.kenmerk)?.body.length, body.length);
  });

  it('a body changed in transit after signing is refused by the recipient with 401: a refused outcome with its reason', async () => {
    const proxy = await startProxy(ports + 1, TamperingProxy.body);
    const target = profile({ endpoint: proxy.url });
    const { envelope, payload, body } = message();
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.httpStatus, 401);
    assert.match(outcome.kind === 'refused' ? outcome.detail : '', /HTTP 401: content-digest does not match the body received/);
    assert.equal(recipient.forKenmerk(envelope.kenmerk), undefined);
  });

  it('a signed header changed in transit is refused with 401: the signature does not verify', async () => {
    const proxy = await startProxy(ports + 2, TamperingProxy.header('x-poort-kenmerk', 'een-ander-kenmerk'));
    const target = profile({ endpoint: proxy.url });
    const { envelope, payload, body } = message();
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'refused');
    assert.match(outcome.kind === 'refused' ? outcome.detail : '', /HTTP 401: signature refused \(VerificationFailed\)/);
    assert.equal(recipient.deliveries.size, 0);
  });

  it('an unsigned delivery (sign: false) is refused by a recipient that requires signatures', async () => {
    const target = profile({ sign: false });
    const { envelope, payload, body } = message();
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'refused');
    assert.match(outcome.kind === 'refused' ? outcome.detail : '', /HTTP 401: signature refused \(MissingField\)/);
  });

  it('a client certificate from outside the recipient\'s trust is refused by TLS itself: a failed outcome, retried later', async () => {
    const target = profile({ clientCertificate: { cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key } });
    const { envelope, payload, body } = message();
    const before = recipient.posts;
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'failed');
    // TLS 1.3: the server's alert ends the connection before any HTTP; the client sees it hang up.
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /ECONNRESET|alert|certificate/i);
    assert.equal(recipient.posts, before, 'no request reached the recipient\'s HTTP layer');
    assert.deepEqual(recipient.refusals, []);
  });

  it('a trusted client certificate that is not Poort\'s is refused by the recipient with 403', async () => {
    const target = profile({ clientCertificate: { cert: pki.clients['sender-a'].cert, key: pki.clients['sender-a'].key } });
    const { envelope, payload, body } = message();
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'refused');
    assert.match(outcome.kind === 'refused' ? outcome.detail : '', /HTTP 403: client certificate of OIN 00000099000000000001 is not Poort's/);
  });

  it('a server certificate other than the pinned one is not trusted: failed (retried: the recipient may be rotating) with a clear detail', async () => {
    const target = profile({ certificate: pki.clients['recipient-b'].cert });
    const { envelope, payload, body } = message();
    const before = recipient.posts;
    const outcome = await channelFor(target).deliver({ recipient: target, envelope, payload, content: body, ...NO_STORED_FILES });
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', /the server certificate of recipient-a \(SHA-256 [0-9a-f]{64}\) is not the certificate its profile pins/);
    assert.match(outcome.kind === 'failed' ? outcome.detail : '', new RegExp(PIN_MISMATCH));
    assert.equal(recipient.posts, before, 'nothing was sent to an unpinned server');
  });
});

async function startProxy(port: number, tamper: ConstructorParameters<typeof TamperingProxy>[1]['tamper']): Promise<TamperingProxy> {
  const proxy = await new TamperingProxy(port, {
    target: recipient.url,
    serverCert: pki.clients['recipient-a'].cert,
    serverKey: pki.clients['recipient-a'].key,
    ca: pki.caChain,
    clientCert: pki.server.cert,
    clientKey: pki.server.key,
    tamper,
  }).start();
  proxies.push(proxy);
  return proxy;
}
