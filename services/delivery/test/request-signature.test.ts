import assert from 'node:assert/strict';
import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import type { Recipient } from '@poort/message-types';
import { generateTestPki, type TestPki } from '@poort/pki';
import { DeliverySignatureCheck, requiredEnv } from '@poort/testing';
import { createVerifier, httpbis } from 'http-message-signatures';

import { contentDigest, requestSigner, signatureAlgorithmFor, SIGNED_COMPONENTS, type RequestSigner } from '../src/delivery/channels/request-signature.js';
import { DeliveryCredentials, DeliveryCredentialsError, deliveryCredentialSettings } from '../src/delivery/delivery-credentials.js';

let pki: TestPki;
let signer: RequestSigner;
let credentials: DeliveryCredentials;

before(async () => {
  pki = await generateTestPki(join(requiredEnv('POORT_ROOT'), '.local/test-pki'), { ifMissing: true });
  credentials = DeliveryCredentials.load(deliveryCredentialSettings({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain }), []);
  signer = requestSigner(credentials.signing!);
});

const URL_SENT = new URL('https://ontvanger.example:8443/inbox');
const BODY = Buffer.from('<Invoice>honderd euro</Invoice>');

function unsignedHeaders(body = BODY): Record<string, string> {
  return {
    'content-type': 'application/xml',
    'content-length': String(body.length),
    'content-disposition': 'attachment; filename="factuur.xml"',
    'content-digest': contentDigest(createHash('sha256').update(body).digest()),
    'idempotency-key': 'k-1:belastingdienst',
    'x-poort-message-id': 'k-1:belastingdienst',
    'x-poort-kenmerk': 'k-1',
    'x-poort-berichtsoort': 'e-factuur',
    'x-poort-afzender-oin': '00000099000000000001',
    'x-poort-tijdstempel-aangeleverd': '2026-12-01T04:00:00.000Z',
  };
}

/** The signing library's own verification, with Poort's certificate looked up by the keyid. */
async function libraryVerifies(headers: Record<string, string>, url = URL_SENT, method = 'POST'): Promise<boolean> {
  const certificate = credentials.signing!.certificate;
  try {
    const result = await httpbis.verifyMessage(
      {
        keyLookup: async (parameters) =>
          parameters.keyid === credentials.signing!.thumbprint ? { id: parameters.keyid, algs: ['rsa-pss-sha512'], verify: createVerifier(certificate.publicKey, 'rsa-pss-sha512') } : null,
        requiredFields: ['@method', '@target-uri', 'content-digest', 'x-poort-kenmerk'],
        requiredParams: ['created', 'keyid', 'alg'],
      },
      { method, url, headers },
    );
    return result === true;
  } catch {
    return false;
  }
}

/** The independent check a test recipient does (Cloudflare's http-message-sig, then the digest of the body). */
function independentCheck(headers: Record<string, string>, body = BODY, targetUri = URL_SENT.toString()) {
  return new DeliverySignatureCheck([credentials.signing!.certPem]).check({ method: 'POST', targetUri, rawHeaders: Object.entries(headers).flat(), body });
}

describe('request signatures (RFC 9421)', () => {
  it('signs what a delivery says with Poort\'s key: @method, @target-uri, the content and the message ids, with created, expires, keyid, alg and tag', async () => {
    const created = new Date('2026-12-01T04:00:00Z');
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() }, created);
    const input = signed['Signature-Input']!;
    const covered = SIGNED_COMPONENTS.map((name) => `"${name}"`).join(' ');
    const seconds = created.getTime() / 1000;
    assert.equal(
      input,
      `poort=(${covered});created=${seconds};expires=${seconds + 300};keyid="${credentials.signing!.thumbprint}";alg="rsa-pss-sha512";tag="poort-delivery"`,
    );
    assert.match(signed.Signature!, /^poort=:[A-Za-z0-9+/]+=*:$/);
    // keyid: the SHA-256 of Poort's certificate, as a recipient computes it from the certificate it was given.
    assert.equal(credentials.signing!.thumbprint, credentials.signing!.certificate.fingerprint256.replaceAll(':', '').toLowerCase());
  });

  it('gives a signature that the library verifies, and an independent RFC 9421 implementation too', async () => {
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() });
    assert.equal(await libraryVerifies(signed), true);
    const check = await independentCheck(signed);
    assert.equal(check.ok, true, check.ok ? '' : check.reason);
    assert.equal(check.ok && check.verified.keyid, credentials.signing!.thumbprint);
  });

  it('covers the aanleverkenmerk when the message has one', async () => {
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: { ...unsignedHeaders(), 'x-poort-aanleverkenmerk': 'mijn-ref' } });
    assert.match(signed['Signature-Input']!, /"x-poort-tijdstempel-aangeleverd" "x-poort-aanleverkenmerk"\);/);
    assert.equal(await libraryVerifies({ ...signed, 'x-poort-aanleverkenmerk': 'andere-ref' }), false);
  });

  it('does not verify once a signed header, the method or the target URI is changed', async () => {
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() });
    assert.equal(await libraryVerifies({ ...signed, 'x-poort-kenmerk': 'k-2' }), false);
    assert.equal(await libraryVerifies({ ...signed, 'content-type': 'text/plain' }), false);
    assert.equal(await libraryVerifies(signed, new URL('https://elders.example/inbox')), false);
    assert.equal(await libraryVerifies(signed, URL_SENT, 'PUT'), false);
    const check = await independentCheck({ ...signed, 'x-poort-message-id': 'k-2:belastingdienst' });
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.reason : '', /VerificationFailed/);
  });

  it('does not verify a changed body: the digest no longer matches, and a digest made to match breaks the signature', async () => {
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() });
    const tampered = Buffer.from('<Invoice>duizend euro</Invoice>');
    const digestMismatch = await independentCheck(signed, tampered);
    assert.equal(digestMismatch.ok, false);
    assert.match(!digestMismatch.ok ? digestMismatch.reason : '', /content-digest does not match/);
    const newDigest = { ...signed, 'content-digest': contentDigest(createHash('sha256').update(tampered).digest()) };
    assert.equal(await libraryVerifies(newDigest), false);
    const check = await independentCheck(newDigest, tampered);
    assert.equal(check.ok, false);
  });

  it('is refused by a recipient that does not know the keyid', async () => {
    const signed = await signer.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() });
    const other = await new DeliverySignatureCheck([readFileSync(pki.clients['recipient-a'].cert, 'utf8')]).check({
      method: 'POST',
      targetUri: URL_SENT.toString(),
      rawHeaders: Object.entries(signed).flat(),
      body: BODY,
    });
    assert.equal(other.ok, false);
    assert.match(!other.ok ? other.reason : '', /ResolverFailed.*not a signing certificate this recipient trusts/);
  });

  it('is refused by a recipient when made for another purpose (tag), though the key and the base are right', async () => {
    const { privateKey, thumbprint } = credentials.signing!;
    const signed = await httpbis.signMessage(
      {
        key: { id: thumbprint, alg: 'rsa-pss-sha512', sign: async (data) => sign('sha512', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }) },
        name: 'poort',
        fields: [...SIGNED_COMPONENTS],
        params: ['created', 'keyid', 'alg', 'tag'],
        paramValues: { tag: 'poort-notification' },
      },
      { method: 'POST', url: URL_SENT, headers: unsignedHeaders() },
    );
    const check = await independentCheck(signed.headers as Record<string, string>);
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.reason : '', /PolicyViolation/);
  });

  it('picks the algorithm from the key: RSA-PSS SHA-512 for RSA, ECDSA on P-256 and P-384, Ed25519; refuses others', () => {
    assert.equal(signatureAlgorithmFor(credentials.signing!.privateKey), 'rsa-pss-sha512');
    assert.equal(signatureAlgorithmFor(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), 'ecdsa-p256-sha256');
    assert.equal(signatureAlgorithmFor(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey), 'ecdsa-p384-sha384');
    assert.equal(signatureAlgorithmFor(generateKeyPairSync('ed25519').privateKey), 'ed25519');
    assert.throws(() => signatureAlgorithmFor(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey), DeliveryCredentialsError);
  });

  it('signs with an EC P-256 key as ECDSA (IEEE P1363 r||s) that the library verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = requestSigner({ ...credentials.signing!, privateKey, thumbprint: 'ec-key' });
    const signed = await ec.sign({ method: 'POST', url: URL_SENT, headers: unsignedHeaders() });
    const verified = await httpbis.verifyMessage(
      { keyLookup: async () => ({ id: 'ec-key', algs: ['ecdsa-p256-sha256'], verify: createVerifier(publicKey, 'ecdsa-p256-sha256') }) },
      { method: 'POST', url: URL_SENT, headers: signed },
    );
    assert.equal(verified, true);
  });
});

describe('DeliveryCredentials at start-up', () => {
  const recipient = (overrides: Partial<Recipient>): Recipient => ({
    id: 'r',
    name: 'R',
    oin: '00000099000000000101',
    channel: 'rest',
    endpoint: 'https://127.0.0.1:1/inbox',
    timeout: 1_000,
    sign: true,
    encrypt: false,
    attachments: true,
    concurrency: 1,
    ...overrides,
  });
  const env = () => ({ TLS_CERT_FILE: pki.server.cert, TLS_KEY_FILE: pki.server.key, TLS_CA_FILE: pki.caChain });

  it('refuses a file that is missing, with the setting that named it', () => {
    assert.throws(
      () => DeliveryCredentials.load(deliveryCredentialSettings({ ...env(), DELIVERY_CLIENT_CERT_FILE: '/nonexistent/client.pem', DELIVERY_CLIENT_KEY_FILE: pki.server.key }), []),
      (error: Error) => error instanceof DeliveryCredentialsError && /DELIVERY_CLIENT_CERT_FILE.*\/nonexistent\/client\.pem cannot be read: ENOENT/.test(error.message),
    );
  });

  it('refuses a key that does not belong to its certificate, and a file that is no certificate', () => {
    assert.throws(
      () => DeliveryCredentials.load(deliveryCredentialSettings({ ...env(), WUS_SIGNING_CERT_FILE: pki.server.cert, WUS_SIGNING_KEY_FILE: pki.clients['sender-a'].key }), []),
      /WUS_SIGNING_CERT_FILE.*does not belong to the certificate/,
    );
    const notPem = join(mkdtempSync(join(tmpdir(), 'poort-creds-')), 'cert.pem');
    writeFileSync(notPem, 'not a certificate');
    assert.throws(() => DeliveryCredentials.load(deliveryCredentialSettings({ ...env(), TLS_CERT_FILE: notPem }), []), /holds no readable certificate/);
    assert.throws(() => DeliveryCredentials.load(deliveryCredentialSettings(env()), [recipient({ certificate: notPem })]), /the certificate of recipient r.*no readable certificate/);
  });

  it('refuses an https recipient without a client certificate, and a signing recipient without a signing key', () => {
    assert.throws(() => DeliveryCredentials.load({ trustFile: pki.caChain }, [recipient({ sign: false })]), /recipient r is reached over https.*needs Poort's client certificate/);
    assert.throws(() => DeliveryCredentials.load({ trustFile: pki.caChain }, [recipient({ endpoint: 'http://127.0.0.1:1/inbox' })]), /recipient r wants signed deliveries.*no signing key/);
    // Neither is needed by a pull recipient, or by a plain http one that wants no signatures.
    DeliveryCredentials.load({ trustFile: pki.caChain }, [recipient({ channel: 'pull', endpoint: undefined }), recipient({ id: 's', endpoint: 'http://127.0.0.1:1/inbox', sign: false })]);
  });

  it('signs with WUS_SIGNING_*, else the TLS certificate, else (behind a TLS-ending proxy) Poort\'s client certificate', () => {
    const signingOf = (settings: Parameters<typeof deliveryCredentialSettings>[0]) => deliveryCredentialSettings(settings).signing?.setting;
    const client = { DELIVERY_CLIENT_CERT_FILE: pki.clients['sender-b'].cert, DELIVERY_CLIENT_KEY_FILE: pki.clients['sender-b'].key };
    assert.equal(signingOf({ ...env(), ...client, WUS_SIGNING_CERT_FILE: pki.server.cert, WUS_SIGNING_KEY_FILE: pki.server.key }), 'WUS_SIGNING_CERT_FILE/WUS_SIGNING_KEY_FILE');
    assert.equal(signingOf({ ...env(), ...client }), 'TLS_CERT_FILE/TLS_KEY_FILE');
    assert.equal(signingOf({ TLS_CA_FILE: pki.caChain, ...client }), 'DELIVERY_CLIENT_CERT_FILE/DELIVERY_CLIENT_KEY_FILE');
    assert.equal(signingOf({ TLS_CA_FILE: pki.caChain }), undefined);
  });

  it('takes the profile\'s client certificate over the default, and its certificate as the pin', () => {
    const loaded = DeliveryCredentials.load(deliveryCredentialSettings(env()), [
      recipient({ clientCertificate: { cert: pki.clients['sender-b'].cert, key: pki.clients['sender-b'].key }, certificate: pki.clients['recipient-a'].cert }),
      recipient({ id: 's' }),
    ]);
    assert.equal(loaded.clientFor(recipient({}))!.certificate.subject.includes('sender-b'), true);
    assert.equal(loaded.clientFor(recipient({ id: 's' }))!.thumbprint, loaded.defaultClient!.thumbprint);
    assert.match(loaded.pinnedCertificateOf(recipient({}))!.subject, /recipient-a/);
    assert.equal(loaded.pinnedCertificateOf(recipient({ id: 's' })), undefined);
  });
});
