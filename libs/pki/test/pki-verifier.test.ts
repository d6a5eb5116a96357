import 'reflect-metadata';

import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  ClientIdentityError,
  type ClientIdentityErrorCode,
  generateTestPki,
  identityFromForwardedHeader,
  PkiVerifier,
  type PkiVerifierOptions,
  splitPemCrls,
  startTestOcspResponder,
  type TestClientName,
  type TestOcspResponder,
  type TestPki,
  TrustStoreVerifier,
  verifierFromFiles,
} from '../src/index.js';

/*
 * Revocation and key usage with real certificates, CRLs and OCSP over HTTP: no mocks. The test PKI is generated
 * with an OCSP URL on a port picked up front, where the test responder then listens.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

let workDir: string;
let pki: TestPki;
let chainPem: string;
let crlPem: string;
/** The issuing CA's CRL (lists `revoked`). */
let issuingCrl: string;
/** The intermediate's and the root's CRLs: they cover the CA certificates but not the end entities. */
let caCrls: string[];
let responder: TestOcspResponder | undefined;
let ocspPort: number;

const cert = async (path: string): Promise<X509Certificate> => new X509Certificate(await readFile(path));
const client = (name: TestClientName): Promise<X509Certificate> => cert(pki.clients[name].cert);

function rejectsWith(code: ClientIdentityErrorCode, message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ClientIdentityError, `expected a ClientIdentityError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function verifier(options: Partial<PkiVerifierOptions> = {}): PkiVerifier {
  return new PkiVerifier(chainPem, { purpose: 'client-auth', ...options });
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'poort-pki-verifier-'));
  ocspPort = await freePort();
  pki = await generateTestPki(join(workDir, 'pki'), { ocspUrl: `http://127.0.0.1:${ocspPort}/ocsp` });
  chainPem = await readFile(pki.caChain, 'utf8');
  crlPem = await readFile(pki.crl, 'utf8');
  const [first, ...rest] = splitPemCrls(crlPem);
  assert.ok(first && rest.length === 2);
  issuingCrl = first;
  caCrls = rest;
  responder = await startTestOcspResponder(pki, { port: ocspPort });
});

after(async () => {
  await responder?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('test PKI for revocation and signing', () => {
  it('gives end entities keyUsage digitalSignature and, when asked, an OCSP URL', async () => {
    for (const name of Object.keys(pki.clients) as TestClientName[]) {
      const certificate = new x509.X509Certificate((await client(name)).raw);
      const usage = certificate.getExtension(x509.KeyUsagesExtension);
      assert.ok(usage && (usage.usages & x509.KeyUsageFlags.digitalSignature) !== 0, name);
      const aia = certificate.getExtension(x509.AuthorityInfoAccessExtension);
      if (name === 'untrusted') assert.equal(aia, null);
      else assert.deepEqual(aia?.ocsp.map((location) => location.value), [`http://127.0.0.1:${ocspPort}/ocsp`], name);
    }
    assert.equal(pki.ocspUrl, `http://127.0.0.1:${ocspPort}/ocsp`);
    const responderCert = await cert(pki.ocspResponder.cert);
    assert.deepEqual(responderCert.keyUsage, ['1.3.6.1.5.5.7.3.9']);
    assert.ok(pki.validUntil.getTime() <= Date.now() + 31 * DAY_MS, 'the CRLs (30 days) bound validUntil');
  });
});

describe('PkiVerifier with CRLs', () => {
  it('accepts a good certificate when every issuer has a CRL', async () => {
    await verifier({ crls: [crlPem] }).verify(await client('sender-a'), [], new Date());
  });

  it('rejects the revoked certificate with CERT_REVOKED', async () => {
    await assert.rejects(
      verifier({ crls: [crlPem] }).verify(await client('revoked'), [], new Date()),
      rejectsWith('CERT_REVOKED', /keyCompromise.*the CRL of/),
    );
    // Also under soft-fail, and through the forwarded-header path.
    const soft = verifier({ crls: [crlPem], revocation: 'soft-fail' });
    await assert.rejects(identityFromForwardedHeader(await readFile(pki.clients.revoked.cert, 'utf8'), soft), rejectsWith('CERT_REVOKED'));
  });

  it('hard-fails with CERT_REVOCATION_UNKNOWN when an issuer in the chain has no CRL', async () => {
    const leaf = await client('sender-a');
    await assert.rejects(verifier({}).verify(leaf, [], new Date()), rejectsWith('CERT_REVOCATION_UNKNOWN'));
    await assert.rejects(
      verifier({ crls: caCrls }).verify(leaf, [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /no CRL of .*Poort TEST Issuing CA/),
    );
    // The issuing CA certificate itself needs the intermediate's CRL.
    await assert.rejects(
      verifier({ crls: [issuingCrl] }).verify(leaf, [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /Poort TEST Issuing CA.*no CRL of .*Intermediate/),
    );
  });

  it('accepts under soft-fail when the status is unknown, and reports it', async () => {
    const unknown: string[] = [];
    const soft = verifier({ crls: caCrls, revocation: 'soft-fail', onRevocationUnknown: (event) => unknown.push(event.subject) });
    await soft.verify(await client('sender-a'), [], new Date());
    assert.deepEqual(unknown.length, 1);
    assert.match(unknown[0] ?? '', /sender-a/);
  });

  it('treats an expired CRL as unknown', async () => {
    const leaf = await client('revoked');
    const afterNextUpdate = new Date(Date.now() + 31 * DAY_MS);
    await assert.rejects(
      verifier({ crls: [crlPem] }).verify(leaf, [], afterNextUpdate),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /CRL expired at/),
    );
    await verifier({ crls: [crlPem], revocation: 'soft-fail' }).verify(await client('sender-a'), [], afterNextUpdate);
    // thisUpdate is an hour before generation: a CRL from the future is no more use.
    await assert.rejects(
      verifier({ crls: [crlPem] }).verify(await client('sender-a'), [], new Date(Date.now() - 2 * 60 * 60 * 1000)),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /not valid before/),
    );
  });

  it('does not use a CRL whose signature does not verify', async () => {
    // The issuing CA's real CRL with one bit of its signature flipped.
    const der = Buffer.from(x509.PemConverter.decodeFirst(issuingCrl));
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const tampered = x509.PemConverter.encode(der, 'X509 CRL');
    await assert.rejects(
      verifier({ crls: [tampered, ...caCrls] }).verify(await client('sender-a'), [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /signature does not verify/),
    );

    // A forged, empty CRL in the issuing CA's name, signed with another key: must not un-revoke `revoked`.
    const issuing = new x509.X509Certificate(await readFile(pki.issuingCa));
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const forged = await x509.X509CrlGenerator.create({
      issuer: issuing.subjectName,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + DAY_MS),
      signingKey: keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      entries: [],
    });
    const forgedPem = x509.PemConverter.encode(forged.rawData, 'X509 CRL');
    await assert.rejects(
      verifier({ crls: [forgedPem, ...caCrls] }).verify(await client('revoked'), [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /signature does not verify/),
    );
    // Next to the real one, the forged CRL changes nothing.
    await assert.rejects(
      verifier({ crls: [forgedPem, crlPem] }).verify(await client('revoked'), [], new Date()),
      rejectsWith('CERT_REVOKED'),
    );
  });

  it('loads CRL sources on first use and not again while their CRLs are current', async () => {
    let calls = 0;
    const sourced = verifier({
      crlSources: [
        () => {
          calls++;
          return Promise.resolve(crlPem);
        },
      ],
    });
    assert.equal(calls, 0);
    await sourced.verify(await client('sender-a'), [], new Date());
    await assert.rejects(sourced.verify(await client('revoked'), [], new Date()), rejectsWith('CERT_REVOKED'));
    await sourced.verify(await client('sender-b'), [], new Date());
    assert.equal(calls, 1);

    const failing = verifier({ crlSources: [() => Promise.reject(new Error('CRL download failed'))] });
    await assert.rejects(failing.verify(await client('sender-a'), [], new Date()), rejectsWith('CERT_REVOCATION_UNKNOWN'));
    await assert.rejects(failing.refreshCrls(), /CRL download failed/);
  });

  it('builds from files with verifierFromFiles', async () => {
    const fromFiles = verifierFromFiles({ caFile: pki.caChain, crlFile: pki.crl, purpose: 'client-auth', revocation: 'hard-fail' });
    await fromFiles.verify(await client('sender-a'), [], new Date());
    await assert.rejects(fromFiles.verify(await client('revoked'), [], new Date()), rejectsWith('CERT_REVOKED'));
    await assert.rejects(fromFiles.verify(await client('expired'), [], new Date()), rejectsWith('CERT_EXPIRED'));
    await assert.rejects(fromFiles.verify(await client('untrusted'), [], new Date()), rejectsWith('CERT_UNTRUSTED'));
    const noCrl = verifierFromFiles({ caFile: [pki.root, pki.intermediateCa, pki.issuingCa], purpose: 'signing' });
    assert.equal(noCrl.revocation, 'hard-fail');
    await assert.rejects(noCrl.verify(await client('sender-a'), [], new Date()), rejectsWith('CERT_REVOCATION_UNKNOWN'));
    assert.throws(() => verifierFromFiles({ caFile: pki.caChain, crlFile: join(workDir, 'missing.pem'), purpose: 'signing' }), /ENOENT/);
  });
});

describe('PkiVerifier with OCSP', () => {
  const ocsp = { enabled: true, timeoutMs: 2000, cacheTtlMs: 60_000 };

  it('accepts a good certificate by OCSP, and answers the second time from the cache', async () => {
    assert.ok(responder);
    const ocspVerifier = verifier({ crls: caCrls, ocsp });
    const before = responder.requests;
    await ocspVerifier.verify(await client('sender-a'), [], new Date());
    assert.equal(responder.requests, before + 1);
    await ocspVerifier.verify(await client('sender-a'), [], new Date());
    await Promise.all([1, 2, 3].map(async () => ocspVerifier.verify(await client('sender-b'), [], new Date())));
    assert.equal(responder.requests, before + 2, 'one request for sender-a, one shared by three for sender-b');
    ocspVerifier.clearOcspCache();
    await ocspVerifier.verify(await client('sender-a'), [], new Date());
    assert.equal(responder.requests, before + 3);
  });

  it('rejects the revoked certificate by OCSP', async () => {
    await assert.rejects(
      verifier({ crls: caCrls, ocsp }).verify(await client('revoked'), [], new Date()),
      rejectsWith('CERT_REVOKED', /keyCompromise.*OCSP/),
    );
    // Signing certificates (WS-Security) go the same way.
    await assert.rejects(
      verifier({ crls: caCrls, ocsp, purpose: 'signing' }).verify(await client('revoked'), [], new Date()),
      rejectsWith('CERT_REVOKED'),
    );
  });

  it('does not ask OCSP when it is not enabled', async () => {
    assert.ok(responder);
    const before = responder.requests;
    await assert.rejects(
      verifier({ crls: caCrls, ocsp: { enabled: false } }).verify(await client('sender-a'), [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN'),
    );
    assert.equal(responder.requests, before);
  });

  it('refuses answers signed by a certificate without id-kp-OCSPSigning', async () => {
    await responder?.close();
    responder = await startTestOcspResponder(pki, { port: ocspPort, signWith: pki.clients['sender-b'] });
    try {
      await assert.rejects(
        verifier({ crls: caCrls, ocsp }).verify(await client('sender-a'), [], new Date()),
        rejectsWith('CERT_REVOCATION_UNKNOWN', /not signed by the issuer or by a responder certificate/),
      );
    } finally {
      await responder.close();
      responder = undefined;
    }
  });

  it('is unknown when the responder is down, and falls back to a CRL', async () => {
    const leaf = await client('sender-a');
    await assert.rejects(
      verifier({ crls: caCrls, ocsp }).verify(leaf, [], new Date()),
      rejectsWith('CERT_REVOCATION_UNKNOWN', /request failed/),
    );
    await verifier({ crls: caCrls, ocsp, revocation: 'soft-fail' }).verify(leaf, [], new Date());
    await verifier({ crls: [crlPem], ocsp }).verify(leaf, [], new Date());
    await assert.rejects(verifier({ crls: [crlPem], ocsp }).verify(await client('revoked'), [], new Date()), rejectsWith('CERT_REVOKED'));
  });

  it('gives up after timeoutMs when the responder does not answer', async () => {
    const sockets = new Set<Socket>();
    const silent: NetServer = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(ocspPort, '127.0.0.1', resolve));
    try {
      const started = performance.now();
      await assert.rejects(
        verifier({ crls: caCrls, ocsp: { enabled: true, timeoutMs: 300, cacheTtlMs: 60_000 } }).verify(await client('sender-a'), [], new Date()),
        rejectsWith('CERT_REVOCATION_UNKNOWN', /timed out/),
      );
      assert.ok(performance.now() - started < 2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('is unknown when the responder sends something that is not an OCSP response', async () => {
    const garbage = createHttpServer((_request, response) => response.end('<html>maintenance</html>'));
    await new Promise<void>((resolve) => garbage.listen(ocspPort, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        verifier({ crls: caCrls, ocsp }).verify(await client('sender-a'), [], new Date()),
        rejectsWith('CERT_REVOCATION_UNKNOWN', /malformed response/),
      );
    } finally {
      garbage.closeAllConnections();
      await new Promise<void>((resolve) => garbage.close(() => resolve()));
    }
  });
});

describe('key usage by purpose', () => {
  it('accepts the test clients for client-auth and for signing', async () => {
    for (const purpose of ['client-auth', 'signing'] as const) {
      for (const name of ['sender-a', 'recipient-a'] as const) {
        await verifier({ crls: [crlPem], purpose }).verify(await client(name), [], new Date());
      }
      const server = await cert(pki.server.cert);
      await verifier({ crls: [crlPem], purpose }).verify(server, [], new Date());
    }
  });

  it('rejects expired and untrusted certificates for signing as for client-auth', async () => {
    const signing = verifier({ crls: [crlPem], purpose: 'signing' });
    await assert.rejects(signing.verify(await client('expired'), [], new Date()), rejectsWith('CERT_EXPIRED'));
    await assert.rejects(signing.verify(await client('untrusted'), [], new Date()), rejectsWith('CERT_UNTRUSTED'));
    const untrustedRoot = await cert(pki.untrustedRoot);
    await assert.rejects(signing.verify(await client('untrusted'), [untrustedRoot], new Date()), rejectsWith('CERT_UNTRUSTED'));
  });

  it('refuses the OCSP responder certificate and CA certificates as signers or clients', async () => {
    const responderCert = await cert(pki.ocspResponder.cert);
    const issuing = await cert(pki.issuingCa);
    for (const [purpose, code] of [
      ['signing', 'CERT_NOT_FOR_SIGNING'],
      ['client-auth', 'CERT_NOT_FOR_CLIENT_AUTH'],
    ] as const) {
      await assert.rejects(verifier({ crls: [crlPem], purpose }).verify(responderCert, [], new Date()), rejectsWith(code));
      await assert.rejects(verifier({ crls: [crlPem], purpose }).verify(issuing, [], new Date()), rejectsWith(code));
    }
  });

  it('checks keyUsage bits and extended key usage', async () => {
    const made = await miniHierarchy([
      { name: 'no-key-usage' },
      { name: 'encipherment-only', keyUsage: x509.KeyUsageFlags.keyEncipherment },
      { name: 'non-repudiation', keyUsage: x509.KeyUsageFlags.nonRepudiation },
      { name: 'time-stamping', keyUsage: x509.KeyUsageFlags.digitalSignature, eku: ['1.3.6.1.5.5.7.3.8'] },
      { name: 'document-signing', keyUsage: x509.KeyUsageFlags.digitalSignature, eku: ['1.3.6.1.5.5.7.3.36'] },
    ]);
    const signing = new TrustStoreVerifier(made.rootPem, { purpose: 'signing' });
    const clientAuth = new TrustStoreVerifier(made.rootPem);
    const now = new Date();
    await assert.rejects(signing.verify(made.leaf('no-key-usage'), [], now), rejectsWith('CERT_NOT_FOR_SIGNING', /no keyUsage/));
    await clientAuth.verify(made.leaf('no-key-usage'), [], now);
    await assert.rejects(signing.verify(made.leaf('encipherment-only'), [], now), rejectsWith('CERT_NOT_FOR_SIGNING', /digitalSignature/));
    await assert.rejects(clientAuth.verify(made.leaf('encipherment-only'), [], now), rejectsWith('CERT_NOT_FOR_CLIENT_AUTH'));
    await signing.verify(made.leaf('non-repudiation'), [], now);
    await assert.rejects(signing.verify(made.leaf('time-stamping'), [], now), rejectsWith('CERT_NOT_FOR_SIGNING', /extended key usage/));
    await assert.rejects(clientAuth.verify(made.leaf('time-stamping'), [], now), rejectsWith('CERT_NOT_FOR_CLIENT_AUTH'));
    await signing.verify(made.leaf('document-signing'), [], now);
  });
});

/** A root and leaves with chosen key usages, keys in memory only (the test PKI's CA keys are not kept). */
async function miniHierarchy(
  leaves: readonly { name: string; keyUsage?: number; eku?: string[] }[],
): Promise<{ rootPem: string; leaf: (name: string) => X509Certificate }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const rootKeys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Mini TEST Root',
    keys: rootKeys,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + DAY_MS),
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const made = new Map<string, X509Certificate>();
  for (const spec of leaves) {
    const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const leaf = await x509.X509CertificateGenerator.create({
      subject: `CN=${spec.name}, 2.5.4.5=00000099000000000777`,
      issuer: root.subject,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...(spec.keyUsage === undefined ? [] : [new x509.KeyUsagesExtension(spec.keyUsage, true)]),
        ...(spec.eku === undefined ? [] : [new x509.ExtendedKeyUsageExtension(spec.eku)]),
      ],
    });
    made.set(spec.name, new X509Certificate(Buffer.from(leaf.rawData)));
  }
  return {
    rootPem: root.toString('pem'),
    leaf: (name) => {
      const found = made.get(name);
      if (!found) throw new Error(name);
      return found;
    },
  };
}
