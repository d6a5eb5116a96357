import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { generateTestPki, identityFromCertificate, loadTestPki, TEST_PKI_OINS, type TestPki } from '../src/index.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let workDir: string;
let pki: TestPki;
let generationMs: number;

const certificate = async (path: string): Promise<X509Certificate> => new X509Certificate(await readFile(path));

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'poort-test-pki-'));
  const started = performance.now();
  pki = await generateTestPki(join(workDir, 'nested', 'pki'));
  generationMs = performance.now() - started;
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('generateTestPki', () => {
  it('is fast enough to run before every test suite', () => {
    assert.ok(generationMs < 3000, `generation took ${Math.round(generationMs)} ms`);
  });

  it('writes the files the manifest names, and nothing else', async () => {
    const files = (await readdir(pki.dir)).sort();
    assert.deepEqual(files, [
      'ca-chain.pem',
      'crl.pem',
      'expired.key.pem',
      'expired.pem',
      'intermediate-ca.pem',
      'issuing-ca.pem',
      'manifest.json',
      'ocsp-responder.key.pem',
      'ocsp-responder.pem',
      'operator.key.pem',
      'operator.pem',
      'recipient-a.key.pem',
      'recipient-a.pem',
      'recipient-b.key.pem',
      'recipient-b.pem',
      'revoked.key.pem',
      'revoked.pem',
      'root.pem',
      'sender-a.key.pem',
      'sender-a.pem',
      'sender-b.key.pem',
      'sender-b.pem',
      'server.key.pem',
      'server.pem',
      'untrusted-root.pem',
      'untrusted.key.pem',
      'untrusted.pem',
    ]);
    const manifest = JSON.parse(await readFile(pki.manifest, 'utf8')) as { clients: Record<string, { oin: string }> };
    assert.equal(manifest.clients['sender-a']?.oin, '00000099000000000001');
    assert.equal((await stat(pki.clients['sender-a'].key)).mode & 0o777, 0o600);
  });

  it('builds root → intermediate → issuing CA, in that order reversed in ca-chain.pem', async () => {
    const chain = (await readFile(pki.caChain, 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const [issuing, intermediate, root] = chain.map((pem) => new X509Certificate(pem));
    assert.ok(issuing && intermediate && root && chain.length === 3);
    assert.ok(root.checkIssued(root) && root.verify(root.publicKey));
    assert.ok(intermediate.checkIssued(root) && intermediate.verify(root.publicKey) && intermediate.ca);
    assert.ok(issuing.checkIssued(intermediate) && issuing.verify(intermediate.publicKey) && issuing.ca);
    assert.equal(root.fingerprint256, (await certificate(pki.root)).fingerprint256);
    const senderA = await certificate(pki.clients['sender-a'].cert);
    assert.ok(senderA.checkIssued(issuing) && senderA.verify(issuing.publicKey));
  });

  it('gives every client its OIN in the subject serialNumber and clientAuth usage', async () => {
    for (const [name, client] of Object.entries(pki.clients)) {
      const cert = await certificate(client.cert);
      assert.equal(identityFromCertificate(cert).oin, client.oin, name);
      assert.equal(client.oin, TEST_PKI_OINS[name as keyof typeof TEST_PKI_OINS]);
      assert.ok(cert.keyUsage.includes(CLIENT_AUTH), name);
      assert.equal(cert.serialNumber, client.serialNumber);
      assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(client.key))), name);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(pki.clients).map(([name, client]) => [name, client.oin])),
      {
        'sender-a': '00000099000000000001',
        'sender-b': '00000099000000000002',
        'recipient-a': '00000099000000000101',
        'recipient-b': '00000099000000000102',
        operator: '00000099000000000900',
        expired: '00000099000000000901',
        revoked: '00000099000000000902',
        untrusted: '00000099000000000903',
      },
    );
  });

  it('makes a server certificate for localhost and 127.0.0.1', async () => {
    const server = await certificate(pki.server.cert);
    assert.ok(server.checkHost('localhost'));
    assert.ok(server.checkIP('127.0.0.1'));
    assert.ok(server.keyUsage.includes(SERVER_AUTH));
  });

  it('adds the server DNS names asked for (a chain in Kubernetes), and regenerates with ifMissing when they differ', async () => {
    const dir = join(workDir, 'in-kubernetes');
    const first = await generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256', serverDnsNames: ['*.poort.svc'] });
    const server = await certificate(first.server.cert);
    assert.ok(server.checkHost('poort-ingress.poort.svc') && server.checkHost('localhost'));
    assert.equal(server.checkHost('poort-ingress.other.svc'), undefined);
    const kept = await generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256', serverDnsNames: ['*.poort.svc'] });
    assert.equal(kept.server.serialNumber, first.server.serialNumber);
    const renamed = await generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256', serverDnsNames: ['*.other.svc'] });
    assert.notEqual(renamed.server.serialNumber, first.server.serialNumber);
    assert.ok((await certificate(renamed.server.cert)).checkHost('poort-ingress.other.svc'));
  });

  it('makes the expired one expired, and the untrusted one from another root', async () => {
    const expired = await certificate(pki.clients.expired.cert);
    assert.ok(expired.validToDate < new Date());
    const untrusted = await certificate(pki.clients.untrusted.cert);
    const untrustedRoot = await certificate(pki.untrustedRoot);
    assert.ok(untrusted.checkIssued(untrustedRoot) && untrusted.verify(untrustedRoot.publicKey));
    assert.ok(!untrusted.checkIssued(await certificate(pki.issuingCa)));
  });

  it('keeps a complete PKI with ifMissing and replaces it without', async () => {
    const kept = await generateTestPki(pki.dir, { ifMissing: true });
    assert.equal(kept.clients['sender-a'].serialNumber, pki.clients['sender-a'].serialNumber);
    const replaced = await generateTestPki(pki.dir);
    assert.notEqual(replaced.clients['sender-a'].serialNumber, pki.clients['sender-a'].serialNumber);
    assert.deepEqual(await loadTestPki(pki.dir), replaced);
    pki = replaced;
  });

  it('regenerates an incomplete PKI with ifMissing', async () => {
    const dir = join(workDir, 'incomplete');
    const first = await generateTestPki(dir, { keyAlgorithm: 'ECDSA-P256' });
    await rm(first.clients['sender-b'].key);
    assert.equal(await loadTestPki(dir), undefined);
    const second = await generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256' });
    assert.notEqual(second.clients['sender-a'].serialNumber, first.clients['sender-a'].serialNumber);
    assert.equal(second.keyAlgorithm, 'ECDSA-P256');
  });

  it('regenerates with ifMissing a PKI made before a client was added (an old .local/test-pki)', async () => {
    const dir = join(workDir, 'older');
    const first = await generateTestPki(dir, { keyAlgorithm: 'ECDSA-P256' });
    // As an earlier version of the generator left it: no operator in the manifest, no operator files.
    const manifest = JSON.parse(await readFile(first.manifest, 'utf8')) as { clients: Record<string, unknown> };
    delete manifest.clients.operator;
    await writeFile(first.manifest, JSON.stringify(manifest, null, 2));
    await rm(first.clients.operator.cert);
    await rm(first.clients.operator.key);
    assert.equal(await loadTestPki(dir), undefined);
    const second = await generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256' });
    assert.equal(second.clients.operator.oin, '00000099000000000900');
    assert.notEqual(second.clients['sender-a'].serialNumber, first.clients['sender-a'].serialNumber);
    const operator = await certificate(second.clients.operator.cert);
    assert.ok(operator.checkIssued(await certificate(second.issuingCa)));
    assert.ok(operator.keyUsage.includes(CLIENT_AUTH));
  });

  it('agrees with itself when several generate into one directory at once', async () => {
    const dir = join(workDir, 'concurrent');
    const results = await Promise.all([1, 2, 3].map(() => generateTestPki(dir, { ifMissing: true, keyAlgorithm: 'ECDSA-P256' })));
    const onDisk = await loadTestPki(dir);
    assert.ok(onDisk);
    const cert = await certificate(onDisk.clients['sender-a'].cert);
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(onDisk.clients['sender-a'].key))));
    for (const result of results) assert.equal(result.clients['sender-a'].serialNumber, onDisk.clients['sender-a'].serialNumber);
    assert.deepEqual((await readdir(workDir)).filter((entry) => entry.includes('.tmp-') || entry.includes('.old-')), []);
  });

  it('refuses to replace a directory that holds something else', async () => {
    const dir = join(workDir, 'not-a-pki');
    await mkdir(dir);
    await writeFile(join(dir, 'precious.txt'), 'keep me');
    await assert.rejects(generateTestPki(dir), /refusing to replace/);
    assert.equal(await readFile(join(dir, 'precious.txt'), 'utf8'), 'keep me');
  });
});
