import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { generateTestPki, type TestPki } from '@poort/pki';
import { attributeOf, compileXPath, elementAt, textAt, withXmlDocument } from '@poort/xml';

import {
  encryptForRecipient,
  loadRecipientCertificate,
  readRecipientCertificate,
  type RecipientCertificate,
  RecipientEncryptionError,
  type RecipientEncryptionErrorCode,
} from '../src/index.js';
import { assertPycaAvailable, decryptWithJose, decryptWithNodeJose, decryptWithPyca, decryptWithXmlEncryption } from '@poort/testing';

let workDir: string;
let pki: TestPki;
let ecdsaPki: TestPki;
let recipientA: RecipientCertificate;
let keyA: Buffer;
let keyB: Buffer;

/** A PDF-like document that holds every byte value, including ones that are not valid UTF-8. */
const PDF_LIKE = Buffer.concat([
  Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
  Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256)),
  Buffer.from('\n%%EOF\n', 'latin1'),
]);
const UTF8_XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<aangifte xmlns="urn:test"><naam>Ærø &amp; Zoë — 𝄞 €</naam><![CDATA[<not markup> & ]]></aangifte>\n',
  'utf8',
);
const EMPTY = Buffer.alloc(0);
const ONE_MIB = 1024 * 1024;
/** 1 MiB of random bytes (binary path) and 1 MiB of UTF-8 XML text (for the string-returning xml-encryption). */
const MEBIBYTE_BINARY = randomBytes(ONE_MIB);
const MEBIBYTE_XML = Buffer.from(`<r>${'ë'.repeat((ONE_MIB - '<r></r>\n'.length) / 2)}</r>\n`, 'utf8');

const NS = { xenc: 'http://www.w3.org/2001/04/xmlenc#', xenc11: 'http://www.w3.org/2009/xmlenc11#', ds: 'http://www.w3.org/2000/09/xmldsig#' };
const X = {
  encryptedData: compileXPath('/xenc:EncryptedData', NS),
  contentMethod: compileXPath('/xenc:EncryptedData/xenc:EncryptionMethod/@Algorithm', NS),
  keyMethod: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod/@Algorithm', NS),
  mgf: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod/xenc11:MGF/@Algorithm', NS),
  digest: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod/ds:DigestMethod/@Algorithm', NS),
  certificate: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/ds:KeyInfo/ds:X509Data/ds:X509Certificate', NS),
  serial: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/ds:KeyInfo/ds:X509Data/ds:X509IssuerSerial/ds:X509SerialNumber', NS),
  issuer: compileXPath('/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/ds:KeyInfo/ds:X509Data/ds:X509IssuerSerial/ds:X509IssuerName', NS),
  cipherValue: compileXPath('/xenc:EncryptedData/xenc:CipherData/xenc:CipherValue', NS),
};

before(async () => {
  assertPycaAvailable();
  workDir = await mkdtemp(join(tmpdir(), 'poort-recipient-encryption-'));
  pki = await generateTestPki(join(workDir, 'rsa'));
  ecdsaPki = await generateTestPki(join(workDir, 'ecdsa'), { keyAlgorithm: 'ECDSA-P256' });
  recipientA = await readRecipientCertificate(pki.clients['recipient-a'].cert);
  keyA = await readFile(pki.clients['recipient-a'].key);
  keyB = await readFile(pki.clients['recipient-b'].key);
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const rejectsWith = async (promise: Promise<unknown> | (() => unknown), code: RecipientEncryptionErrorCode, message?: RegExp) => {
  const run = typeof promise === 'function' ? async () => promise() : () => promise;
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof RecipientEncryptionError, `expected a RecipientEncryptionError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
};

/** Replaces the data CipherValue of an EncryptedData document after `change` altered its decoded bytes. */
function tamperXml(xml: Buffer, change: (cipherValue: Buffer) => void): Buffer {
  const text = xml.toString('utf8');
  const open = '<xenc:CipherData><xenc:CipherValue>';
  const start = text.lastIndexOf(open) + open.length;
  const end = text.indexOf('</xenc:CipherValue>', start);
  const bytes = Buffer.from(text.slice(start, end), 'base64');
  change(bytes);
  return Buffer.from(text.slice(0, start) + bytes.toString('base64') + text.slice(end), 'utf8');
}

function tamperJwe(token: Buffer, part: 3 | 4): Buffer {
  const parts = token.toString('ascii').split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[bytes.length - 1]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return Buffer.from(parts.join('.'), 'ascii');
}

describe('loadRecipientCertificate', () => {
  it('reads an RSA recipient certificate and names it by its SHA-256 thumbprint', async () => {
    const pem = await readFile(pki.clients['recipient-a'].cert);
    const certificate = new X509Certificate(pem);
    const loaded = loadRecipientCertificate(pem);
    assert.equal(loaded.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(loaded.sha256Thumbprint, createHash('sha256').update(certificate.raw).digest('base64url'));
    assert.equal(loadRecipientCertificate(certificate.raw).sha256Thumbprint, loaded.sha256Thumbprint);
    assert.equal(loadRecipientCertificate(certificate).sha256Thumbprint, loaded.sha256Thumbprint);
    assert.match(loaded.subject, /00000099000000000101/);
  });

  it('refuses a certificate without an RSA key', async () => {
    const pem = await readFile(ecdsaPki.clients['recipient-a'].cert);
    await rejectsWith(() => loadRecipientCertificate(pem), 'CERTIFICATE_NOT_RSA', /key of type ec; encryption for a recipient needs an RSA key/);
  });

  it('refuses a certificate whose keyUsage lacks keyEncipherment', async () => {
    await rejectsWith(readRecipientCertificate(pki.clients['sender-a'].cert), 'CERTIFICATE_KEY_USAGE', /00000099000000000001.*keyEncipherment/);
  });

  it('refuses a certificate outside its validity period', async () => {
    const pem = await readFile(pki.clients['recipient-a'].cert);
    const { validFrom, validTo } = new X509Certificate(pem);
    await rejectsWith(() => loadRecipientCertificate(pem, { now: new Date(Date.parse(validTo) + 1000) }), 'CERTIFICATE_EXPIRED', /expired on/);
    await rejectsWith(() => loadRecipientCertificate(pem, { now: new Date(Date.parse(validFrom) - 1000) }), 'CERTIFICATE_NOT_YET_VALID');
    await rejectsWith(() => loadRecipientCertificate(recipientA, { now: new Date(Date.parse(validTo) + 1000) }), 'CERTIFICATE_EXPIRED');
  });

  it('says which file cannot be read or parsed', async () => {
    await rejectsWith(readRecipientCertificate(join(workDir, 'missing.pem')), 'CERTIFICATE_UNREADABLE', /missing\.pem cannot be read/);
    const garbage = join(workDir, 'garbage.pem');
    await writeFile(garbage, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    await rejectsWith(readRecipientCertificate(garbage), 'CERTIFICATE_UNREADABLE', /garbage\.pem: recipient certificate is not a readable X\.509 certificate/);
    await rejectsWith(() => loadRecipientCertificate('just text'), 'CERTIFICATE_UNREADABLE');
  });
});

describe('encryptForRecipient', () => {
  it('is a clear error to encrypt to a certificate without an RSA key, in either format', async () => {
    const pem = await readFile(ecdsaPki.clients['recipient-a'].cert);
    await rejectsWith(encryptForRecipient(UTF8_XML, pem, { format: 'xmlenc' }), 'CERTIFICATE_NOT_RSA');
    await rejectsWith(encryptForRecipient(UTF8_XML, pem, { format: 'jwe' }), 'CERTIFICATE_NOT_RSA');
  });

  it('refuses a MIME type that is not one, rather than writing it into the XML or header', async () => {
    await rejectsWith(encryptForRecipient(PDF_LIKE, recipientA, { format: 'xmlenc', mimeType: 'application/pdf"><x y="' }), 'INVALID_MIME_TYPE');
    await rejectsWith(encryptForRecipient(PDF_LIKE, recipientA, { format: 'jwe', mimeType: 'pdf' }), 'INVALID_MIME_TYPE');
  });

  it('refuses an unknown format', async () => {
    // @ts-expect-error an untyped caller
    await rejectsWith(encryptForRecipient(PDF_LIKE, recipientA, { format: 'pgp' }), 'UNKNOWN_FORMAT');
  });
});

describe('XML Encryption 1.1, decrypted by independent libraries', () => {
  const cases: { name: string; content: Buffer; mimeType?: string; text: boolean }[] = [
    { name: 'binary bytes (a PDF-like document with every byte value)', content: PDF_LIKE, mimeType: 'application/pdf', text: false },
    { name: 'UTF-8 XML', content: UTF8_XML, mimeType: 'application/xml', text: true },
    { name: 'empty content', content: EMPTY, mimeType: 'text/plain; charset=utf-8', text: true },
    { name: '1 MiB of random bytes', content: MEBIBYTE_BINARY, mimeType: 'application/octet-stream', text: false },
    { name: '1 MiB of UTF-8 XML', content: MEBIBYTE_XML, mimeType: 'text/xml', text: true },
  ];
  it('the large cases are exactly 1 MiB', () => {
    assert.equal(MEBIBYTE_BINARY.length, ONE_MIB);
    assert.equal(MEBIBYTE_XML.length, ONE_MIB);
  });

  for (const { name, content, mimeType, text } of cases) {
    it(`${name}: pyca/cryptography${text ? ' and xml-encryption' : ''} decrypt the original bytes`, async () => {
      const encrypted = await encryptForRecipient(content, recipientA, { format: 'xmlenc', mimeType });
      assert.equal(encrypted.mediaType, 'application/xenc+xml');
      assert.equal(encrypted.recipientThumbprint, recipientA.sha256Thumbprint);
      assert.ok(decryptWithPyca(encrypted.bytes, pki.clients['recipient-a'].key).equals(content), 'pyca plaintext differs');
      if (text) assert.ok((await decryptWithXmlEncryption(encrypted.bytes, keyA)).equals(content), 'xml-encryption plaintext differs');
    });
  }

  it('writes the algorithms, the recipient certificate and the MIME type as XML Encryption 1.1 names them', async () => {
    const encrypted = await encryptForRecipient(UTF8_XML, recipientA, { format: 'xmlenc', mimeType: 'application/vnd.test+xml; profile="a&b"' });
    withXmlDocument(encrypted.bytes, (doc) => {
      const root = elementAt(doc, X.encryptedData)!;
      // Octets, not Element/Content: a Type would make a decryptor re-parse the plaintext instead of returning it.
      assert.equal(attributeOf(root, 'Type'), undefined);
      assert.equal(attributeOf(root, 'MimeType'), 'application/vnd.test+xml; profile="a&b"');
      assert.equal(textAt(doc, X.contentMethod), 'http://www.w3.org/2009/xmlenc11#aes256-gcm');
      assert.equal(textAt(doc, X.keyMethod), 'http://www.w3.org/2009/xmlenc11#rsa-oaep');
      assert.equal(textAt(doc, X.mgf), 'http://www.w3.org/2009/xmlenc11#mgf1sha256');
      assert.equal(textAt(doc, X.digest), 'http://www.w3.org/2001/04/xmlenc#sha256');
      assert.deepEqual(Buffer.from(textAt(doc, X.certificate)!, 'base64'), recipientA.certificate.raw);
      assert.equal(textAt(doc, X.serial), BigInt(`0x${recipientA.certificate.serialNumber}`).toString());
      assert.match(textAt(doc, X.issuer)!, /^CN=.*,C=NL$/);
      // IV (12) + tag (16) around the ciphertext, which AES-GCM keeps as long as the plaintext.
      assert.equal(Buffer.from(textAt(doc, X.cipherValue)!, 'base64').length, 12 + UTF8_XML.length + 16);
    });
    const untyped = await encryptForRecipient(PDF_LIKE, recipientA, { format: 'xmlenc' });
    withXmlDocument(untyped.bytes, (doc) => assert.equal(attributeOf(elementAt(doc, X.encryptedData)!, 'MimeType'), undefined));
  });

  it('uses a fresh key and IV for every encryption', async () => {
    const first = await encryptForRecipient(UTF8_XML, recipientA, { format: 'xmlenc' });
    const second = await encryptForRecipient(UTF8_XML, recipientA, { format: 'xmlenc' });
    const cipherValue = (xml: Buffer) => withXmlDocument(xml, (doc) => textAt(doc, X.cipherValue));
    assert.notEqual(cipherValue(first.bytes), cipherValue(second.bytes));
  });

  it('a tampered ciphertext or tag fails to decrypt', async () => {
    const encrypted = await encryptForRecipient(PDF_LIKE, recipientA, { format: 'xmlenc', mimeType: 'application/pdf' });
    const flippedCiphertext = tamperXml(encrypted.bytes, (bytes) => (bytes[12 + 100]! ^= 0x01));
    const flippedTag = tamperXml(encrypted.bytes, (bytes) => (bytes[bytes.length - 1]! ^= 0x80));
    const flippedIv = tamperXml(encrypted.bytes, (bytes) => (bytes[0]! ^= 0x01));
    for (const tampered of [flippedCiphertext, flippedTag, flippedIv]) {
      assert.throws(() => decryptWithPyca(tampered, pki.clients['recipient-a'].key), /InvalidTag/);
      await assert.rejects(decryptWithXmlEncryption(tampered, keyA), /unable to authenticate|auth/i);
    }
  });

  it('only the recipient whose certificate it names can decrypt it', async () => {
    const encrypted = await encryptForRecipient(UTF8_XML, recipientA, { format: 'xmlenc' });
    assert.throws(() => decryptWithPyca(encrypted.bytes, pki.clients['recipient-b'].key), /key unwrap failed/);
    await assert.rejects(decryptWithXmlEncryption(encrypted.bytes, keyB));
  });
});

describe('JWE (compact), decrypted by jose and by node-jose', () => {
  const cases: { name: string; content: Buffer; mimeType?: string }[] = [
    { name: 'binary bytes (a PDF-like document with every byte value)', content: PDF_LIKE, mimeType: 'application/pdf' },
    { name: 'UTF-8 XML', content: UTF8_XML, mimeType: 'application/xml' },
    { name: 'empty content', content: EMPTY },
    { name: '1 MiB of random bytes', content: MEBIBYTE_BINARY, mimeType: 'application/octet-stream' },
  ];
  for (const { name, content, mimeType } of cases) {
    it(`${name}: both decrypt the original bytes`, async () => {
      const encrypted = await encryptForRecipient(content, recipientA, { format: 'jwe', mimeType });
      assert.equal(encrypted.mediaType, 'application/jose');
      assert.match(encrypted.bytes.toString('ascii'), /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]*\.[\w-]+$/);
      const jose = await decryptWithJose(encrypted.bytes, keyA);
      assert.ok(jose.plaintext.equals(content), 'jose plaintext differs');
      const independent = await decryptWithNodeJose(encrypted.bytes, keyA);
      assert.ok(independent.plaintext.equals(content), 'node-jose plaintext differs');
      assert.deepEqual(jose.header, {
        alg: 'RSA-OAEP-256',
        enc: 'A256GCM',
        kid: recipientA.sha256Thumbprint,
        'x5t#S256': recipientA.sha256Thumbprint,
        ...(mimeType ? { cty: mimeType } : {}),
      });
    });
  }

  it('a tampered ciphertext or tag fails to decrypt', async () => {
    const encrypted = await encryptForRecipient(PDF_LIKE, recipientA, { format: 'jwe', mimeType: 'application/pdf' });
    for (const tampered of [tamperJwe(encrypted.bytes, 3), tamperJwe(encrypted.bytes, 4)]) {
      await assert.rejects(decryptWithJose(tampered, keyA), /decryption operation failed/);
      await assert.rejects(decryptWithNodeJose(tampered, keyA));
    }
  });

  it('only the recipient whose certificate it names can decrypt it', async () => {
    const encrypted = await encryptForRecipient(UTF8_XML, recipientA, { format: 'jwe' });
    await assert.rejects(decryptWithJose(encrypted.bytes, keyB));
    await assert.rejects(decryptWithNodeJose(encrypted.bytes, keyB));
  });
});
