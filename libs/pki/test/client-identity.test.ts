import 'reflect-metadata';

import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';

import {
  ClientIdentityError,
  type ClientIdentityErrorCode,
  generateTestPki,
  identityFromCertificate,
  identityFromForwardedHeader,
  identityFromTlsSocket,
  splitPemCrls,
  type TestClientName,
  type TestPki,
  TrustStoreVerifier,
} from '../src/index.js';

let workDir: string;
let pki: TestPki;
let chainPem: string;
const pems = new Map<string, string>();

async function pemOf(path: string): Promise<string> {
  const cached = pems.get(path);
  if (cached !== undefined) return cached;
  const pem = await readFile(path, 'utf8');
  pems.set(path, pem);
  return pem;
}

const clientPem = (name: TestClientName): Promise<string> => pemOf(pki.clients[name].cert);

function rejectsWith(code: ClientIdentityErrorCode) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ClientIdentityError, `expected a ClientIdentityError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'poort-pki-identity-'));
  pki = await generateTestPki(join(workDir, 'pki'));
  chainPem = await pemOf(pki.caChain);
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** What an API route does: 200 with the identity, or 401 with the error code. */
function respondWithIdentity(req: IncomingMessage, res: ServerResponse): void {
  let body: string;
  let status = 200;
  try {
    body = JSON.stringify(identityFromTlsSocket(req.socket as TLSSocket));
  } catch (error) {
    status = 401;
    body = JSON.stringify({ code: error instanceof ClientIdentityError ? error.code : 'INTERNAL' });
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

async function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

describe('identityFromTlsSocket over real TLS', () => {
  let server: Server;
  let port: number;

  before(async () => {
    server = createServer(
      {
        cert: await pemOf(pki.server.cert),
        key: await pemOf(pki.server.key),
        ca: chainPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      respondWithIdentity,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await close(server);
  });

  it('derives OIN 00000099000000000001 from sender-a', async () => {
    const response = await call(port, 'sender-a');
    assert.equal(response.status, 200);
    assert.equal(response.body.oin, '00000099000000000001');
    const certificate = new X509Certificate(await clientPem('sender-a'));
    assert.equal(response.body.fingerprintSha256, createHash('sha256').update(certificate.raw).digest('hex'));
    assert.match(String(response.body.subject), /serialNumber=00000099000000000001/);
    assert.match(String(response.body.issuer), /CN=Poort TEST Issuing CA/);
  });

  it('derives each valid client its own OIN', async () => {
    for (const name of ['sender-b', 'recipient-a', 'recipient-b'] as const) {
      const response = await call(port, name);
      assert.equal(response.status, 200, name);
      assert.equal(response.body.oin, pki.clients[name].oin);
    }
  });

  it('refuses a certificate from a CA outside the chain', async () => {
    assert.deepEqual(await call(port, 'untrusted'), { status: 401, body: { code: 'CERT_UNTRUSTED' } });
  });

  it('refuses an expired certificate', async () => {
    assert.deepEqual(await call(port, 'expired'), { status: 401, body: { code: 'CERT_EXPIRED' } });
  });

  it('refuses a connection without a certificate', async () => {
    assert.deepEqual(await call(port, undefined), { status: 401, body: { code: 'CERT_MISSING' } });
  });

  it('refuses the revoked certificate when the server loads crl.pem', async () => {
    const crls = splitPemCrls(await pemOf(pki.crl));
    assert.equal(crls.length, 3, 'crl.pem holds the CRLs of the issuing CA, the intermediate and the root');
    const withCrl = createServer(
      {
        cert: await pemOf(pki.server.cert),
        key: await pemOf(pki.server.key),
        ca: chainPem,
        crl: crls,
        requestCert: true,
        rejectUnauthorized: false,
      },
      respondWithIdentity,
    );
    await new Promise<void>((resolve) => withCrl.listen(0, '127.0.0.1', resolve));
    try {
      const crlPort = (withCrl.address() as AddressInfo).port;
      assert.deepEqual(await call(crlPort, 'revoked'), { status: 401, body: { code: 'CERT_REVOKED' } });
      assert.equal((await call(crlPort, 'sender-a')).body.oin, '00000099000000000001');
    } finally {
      await close(withCrl);
    }
  });

  async function call(
    serverPort: number,
    client: TestClientName | undefined,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const credentials = client
      ? { cert: await pemOf(pki.clients[client].cert), key: await pemOf(pki.clients[client].key) }
      : {};
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: serverPort, servername: 'localhost', path: '/', ca: chainPem, agent: false, ...credentials },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
});

describe('identityFromForwardedHeader', () => {
  it('accepts sender-a as nginx forwards it: URL-encoded PEM', async () => {
    const identity = await identityFromForwardedHeader(encodeURIComponent(await clientPem('sender-a')), chainPem);
    assert.equal(identity.oin, '00000099000000000001');
  });

  it('accepts plain PEM and base64 DER', async () => {
    const pem = await clientPem('sender-b');
    const der = new X509Certificate(pem).raw.toString('base64');
    assert.equal((await identityFromForwardedHeader(pem, chainPem)).oin, '00000099000000000002');
    assert.equal((await identityFromForwardedHeader(der, chainPem)).oin, '00000099000000000002');
  });

  it('rejects a certificate from an untrusted CA, also when its root comes along', async () => {
    const untrusted = await clientPem('untrusted');
    const withRoot = `${untrusted}${await pemOf(pki.untrustedRoot)}`;
    await assert.rejects(identityFromForwardedHeader(encodeURIComponent(untrusted), chainPem), rejectsWith('CERT_UNTRUSTED'));
    await assert.rejects(identityFromForwardedHeader(encodeURIComponent(withRoot), chainPem), rejectsWith('CERT_UNTRUSTED'));
  });

  it('rejects an expired certificate', async () => {
    await assert.rejects(
      identityFromForwardedHeader(encodeURIComponent(await clientPem('expired')), chainPem),
      rejectsWith('CERT_EXPIRED'),
    );
  });

  it('checks validity at the given moment', async () => {
    const header = encodeURIComponent(await clientPem('sender-a'));
    const inTwoYears = new Date(Date.now() + 2 * 365 * 24 * 60 * 60 * 1000);
    const lastYear = new Date(Date.now() - 365 * 24 * 60 * 60 * 1000);
    await assert.rejects(identityFromForwardedHeader(header, chainPem, { now: inTwoYears }), rejectsWith('CERT_EXPIRED'));
    await assert.rejects(identityFromForwardedHeader(header, chainPem, { now: lastYear }), rejectsWith('CERT_NOT_YET_VALID'));
  });

  it('walks intermediates the proxy sends along when only the root is trusted', async () => {
    const rootOnly = new TrustStoreVerifier(await pemOf(pki.root));
    const leaf = await clientPem('recipient-a');
    const withIntermediates = `${leaf}${await pemOf(pki.issuingCa)}${await pemOf(pki.intermediateCa)}`;
    assert.equal((await identityFromForwardedHeader(withIntermediates, rootOnly)).oin, '00000099000000000101');
    await assert.rejects(identityFromForwardedHeader(leaf, rootOnly), rejectsWith('CERT_UNTRUSTED'));
  });

  it('checks purpose and validity again when it verifies a chain it has verified before', async () => {
    const store = new TrustStoreVerifier(chainPem);
    const header = encodeURIComponent(await clientPem('sender-a'));
    const inTwoYears = new Date(Date.now() + 2 * 365 * 24 * 60 * 60 * 1000);
    assert.equal((await identityFromForwardedHeader(header, store)).oin, '00000099000000000001');
    assert.equal((await identityFromForwardedHeader(header, store)).oin, '00000099000000000001');
    await assert.rejects(identityFromForwardedHeader(header, store, { now: inTwoYears }), rejectsWith('CERT_EXPIRED'));
    const ca = encodeURIComponent(await pemOf(pki.issuingCa));
    await assert.rejects(identityFromForwardedHeader(ca, store), rejectsWith('CERT_NOT_FOR_CLIENT_AUTH'));
    await assert.rejects(identityFromForwardedHeader(ca, store), rejectsWith('CERT_NOT_FOR_CLIENT_AUTH'));
  });

  it('walks intermediates from the trust store', async () => {
    const store = new TrustStoreVerifier([await pemOf(pki.root), await pemOf(pki.intermediateCa), await pemOf(pki.issuingCa)]);
    assert.equal((await identityFromForwardedHeader(await clientPem('sender-a'), store)).oin, '00000099000000000001');
  });

  it('does not take a CA certificate as a client', async () => {
    await assert.rejects(identityFromForwardedHeader(await pemOf(pki.issuingCa), chainPem), rejectsWith('CERT_NOT_FOR_CLIENT_AUTH'));
  });

  it('tells a missing header from a malformed one', async () => {
    await assert.rejects(identityFromForwardedHeader(undefined, chainPem), rejectsWith('CERT_MISSING'));
    await assert.rejects(identityFromForwardedHeader('', chainPem), rejectsWith('CERT_MISSING'));
    await assert.rejects(identityFromForwardedHeader('not a certificate', chainPem), rejectsWith('CERT_MALFORMED'));
    await assert.rejects(identityFromForwardedHeader('%E0%A4%A', chainPem), rejectsWith('CERT_MALFORMED'));
    await assert.rejects(identityFromForwardedHeader('AAAA', chainPem), rejectsWith('CERT_MALFORMED'));
    const pem = await clientPem('sender-a');
    await assert.rejects(identityFromForwardedHeader([pem, pem], chainPem), rejectsWith('CERT_MALFORMED'));
  });

  it('refuses a trust store without CA certificates', async () => {
    assert.throws(() => new TrustStoreVerifier('no pem here'), /no CA certificate/);
    const leaf = await clientPem('sender-a');
    const issuingCa = await pemOf(pki.issuingCa);
    assert.throws(() => new TrustStoreVerifier(leaf), /not a CA certificate/);
    assert.throws(() => new TrustStoreVerifier(issuingCa), /no self-signed root/);
  });
});

describe('identityFromCertificate', () => {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

  async function selfSigned(attributes: x509.JsonNameParams): Promise<string> {
    const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: new x509.Name(attributes),
      keys,
      signingAlgorithm: algorithm,
    });
    return cert.toString('pem');
  }

  it('reads the OIN from serialNumber, also inside a multi-valued RDN', async () => {
    const pem = await selfSigned([
      { O: [{ utf8String: 'Evil, Org\nserialNumber=00000099000000000666' }] },
      { CN: [{ utf8String: 'x' }], '2.5.4.5': [{ printableString: '00000001123456789000' }] },
    ]);
    const identity = identityFromCertificate(pem);
    assert.equal(identity.oin, '00000001123456789000');
    assert.match(identity.fingerprintSha256, /^[0-9a-f]{64}$/);
  });

  it('fails with CERT_NO_OIN without a serialNumber', async () => {
    const pem = await selfSigned([{ CN: [{ utf8String: 'no oin' }] }]);
    assert.throws(() => identityFromCertificate(pem), rejectsWith('CERT_NO_OIN'));
  });

  it('fails with CERT_BAD_OIN for a serialNumber that is no OIN, or for two', async () => {
    const short = await selfSigned([{ '2.5.4.5': [{ printableString: '12345678' }] }]);
    const twice = await selfSigned([
      { '2.5.4.5': [{ printableString: '00000099000000000001' }] },
      { '2.5.4.5': [{ printableString: '00000099000000000002' }] },
    ]);
    assert.throws(() => identityFromCertificate(short), rejectsWith('CERT_BAD_OIN'));
    assert.throws(() => identityFromCertificate(twice), rejectsWith('CERT_BAD_OIN'));
  });

  it('fails with CERT_MALFORMED for bytes that are no certificate', () => {
    assert.throws(() => identityFromCertificate(Buffer.from('nope')), rejectsWith('CERT_MALFORMED'));
    assert.throws(() => identityFromCertificate('nope'), rejectsWith('CERT_MALFORMED'));
  });
});
