import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { canonicalizeExclusive, compileXPath, elementAt, parseXml, withXmlDocument } from '@poort/xml';
import { SignedXml } from 'xml-crypto';
import { signSoapMessage, verifySoapRequest, type UnsignedSoapMessage, type VerifiedRequest } from '../src/index.js';
import {
  PROFILE_REFERENCES, RSA_SHA1, SHA1, signWithXmlCrypto, unsignedRequest, WSA,
} from './support/requests.js';
import { testCredentials, type TestCredentials } from './support/test-credentials.js';

const NOW = new Date('2025-06-02T10:00:00.000Z');

function verifyString(xml: string, policy?: { allowSha1?: boolean }): Omit<VerifiedRequest, 'body' | 'addressing'> & { to: string; bodyName: string } {
  return withXmlDocument(xml, (doc) => {
    const verified = verifySoapRequest(doc, policy, NOW);
    const firstBodyChild = verified.body.firstChild?.next;
    return { ...verified, to: verified.addressing.get('To')?.content ?? '', bodyName: firstBodyChild?.toString() ?? '' };
  });
}

const AANLEVER_RESPONSE = '<aanleverResponse xmlns="http://logius.nl/digipoort/koppelvlakservices/1.2/"><kenmerk>c0f9e133-53ae-429e-af41-acd6e0abc570</kenmerk><berichtsoort>Omzetbelasting</berichtsoort><tijdstempelAangeleverd>2025-06-02T10:00:00Z</tijdstempelAangeleverd><identiteitBelanghebbende><nummer>001000044B37</nummer><type>Fi</type></identiteitBelanghebbende><rolBelanghebbende>Bedrijf</rolBelanghebbende></aanleverResponse>';

function response(relatesTo: string, { headers = true, body = AANLEVER_RESPONSE }: { headers?: boolean; body?: string } = {}): UnsignedSoapMessage {
  const wsa = (localName: string, text: string) => ({ namespaceUri: WSA, prefix: 'wsa', localName, text });
  return {
    headers: headers
      ? [
        wsa('To', 'http://www.w3.org/2005/08/addressing/anonymous'),
        wsa('Action', 'http://logius.nl/digipoort/wus/2.0/aanleverservice/1.2/AanleverService/aanleverenResponse'),
        wsa('MessageID', 'urn:uuid:00000000-0000-4000-8000-00000000beef'),
        wsa('RelatesTo', relatesTo),
      ]
      : [],
    body,
  };
}

function checkWithXmlCrypto(xml: string, certificatePem: string): { valid: boolean; references: number } {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const sig = new SignedXml({ publicCert: certificatePem, idMode: 'wssecurity', getCertFromKeyInfo: () => null });
  const [signature] = sig.findSignatures(doc);
  assert.ok(signature);
  sig.loadSignature(signature);
  const valid = sig.checkSignature(xml);
  return { valid, references: sig.getSignedReferences().length };
}

describe('interop with xml-crypto', () => {
  let creds: TestCredentials;
  before(async () => {
    creds = await testCredentials();
  });

  it('accepts a request signed by xml-crypto for the profile and returns what was signed', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), { privateKeyPem: creds.client.privateKeyPem });
    const verified = verifyString(signed);
    assert.equal(verified.to, 'https://poort.test/wus/2.0/aanleverservice/1.2');
    assert.equal(verified.created.toISOString(), NOW.toISOString());
    assert.equal(verified.expires?.toISOString(), new Date(NOW.getTime() + 300_000).toISOString());
    assert.ok(verified.certificate.checkIssued !== undefined);
    assert.equal(verified.certificate.fingerprint256, new X509Certificate(creds.client.certificatePem).fingerprint256);
    assert.match(verified.bodyName, /^<aan:aanleverRequest/);
    const sigValue = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(signed)?.[1];
    assert.equal(verified.signatureValue, sigValue);
    assert.equal(verified.signatureConfirmations, undefined);
  });

  it('returns every signed WS-Addressing header by local name', () => {
    const unsigned = unsignedRequest({
      certificatePem: creds.client.certificatePem, created: NOW,
      extraAddressing: '<wsa:ReplyTo wsu:Id="id-replyto"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>',
    });
    const signed = signWithXmlCrypto(unsigned, { privateKeyPem: creds.client.privateKeyPem, references: [...PROFILE_REFERENCES, "//*[local-name(.)='ReplyTo']"] });
    withXmlDocument(signed, (doc) => {
      const verified = verifySoapRequest(doc, {}, NOW);
      assert.deepEqual([...verified.addressing.keys()].sort(), ['Action', 'MessageID', 'ReplyTo', 'To']);
      assert.equal(verified.addressing.get('MessageID')?.content, 'urn:uuid:4d3c2b1a-0000-4000-8000-000000000001');
    });
  });

  it('accepts InclusiveNamespaces PrefixLists on SignedInfo and the reference transforms', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), {
      privateKeyPem: creds.client.privateKeyPem, prefixList: ['soap', 'aan'],
    });
    assert.match(signed, /InclusiveNamespaces[^>]*PrefixList="soap aan"/);
    assert.equal(verifyString(signed).to, 'https://poort.test/wus/2.0/aanleverservice/1.2');
  });

  it('accepts a request without Expires', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW, expires: null }), { privateKeyPem: creds.client.privateKeyPem });
    assert.equal(verifyString(signed).expires, undefined);
  });

  it('accepts RSA-SHA1 / SHA-1 only with the legacy switch', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), {
      privateKeyPem: creds.client.privateKeyPem, signatureAlgorithm: RSA_SHA1, digestAlgorithm: SHA1,
    });
    assert.throws(() => verifyString(signed), { code: 'WSS_ALGORITHM' });
    assert.equal(verifyString(signed, { allowSha1: true }).to, 'https://poort.test/wus/2.0/aanleverservice/1.2');
  });

  it('accepts a large (1 MiB payload) request', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW, payloadBytes: 1024 * 1024 }), { privateKeyPem: creds.client.privateKeyPem });
    assert.ok(verifyString(signed).created);
  });

  it('signs responses that xml-crypto verifies and that carry the SignatureConfirmation', () => {
    const signedRequest = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), { privateKeyPem: creds.client.privateKeyPem });
    const request = verifyString(signedRequest);
    const signed = signSoapMessage(response('urn:uuid:4d3c2b1a-0000-4000-8000-000000000001'), creds.server, {
      signatureConfirmation: request.signatureValue, now: NOW, ttlMs: 60_000,
    });
    const xmlCrypto = checkWithXmlCrypto(signed, creds.server.certificatePem);
    assert.equal(xmlCrypto.valid, true);
    assert.equal(xmlCrypto.references, 7); // Timestamp, To, Action, MessageID, RelatesTo, Body, SignatureConfirmation
    withXmlDocument(signed, (doc) => {
      const verified = verifySoapRequest(doc, {}, NOW);
      assert.deepEqual(verified.signatureConfirmations, [request.signatureValue]);
      assert.equal(verified.expires?.toISOString(), new Date(NOW.getTime() + 60_000).toISOString());
      assert.equal(verified.certificate.fingerprint256, new X509Certificate(creds.server.certificatePem).fingerprint256);
      assert.equal(verified.addressing.get('RelatesTo')?.content, 'urn:uuid:4d3c2b1a-0000-4000-8000-000000000001');
    });
    assert.match(signed, /mustUnderstand="1"/);
  });

  it('signs a message without header blocks or a confirmation, and bodies that canonicalisation rewrites', () => {
    const noHeaders = signSoapMessage(response('x', { headers: false }), creds.server, { now: NOW });
    assert.equal(checkWithXmlCrypto(noHeaders, creds.server.certificatePem).valid, true);
    withXmlDocument(noHeaders, (doc) => assert.equal(verifySoapRequest(doc, {}, NOW).signatureConfirmations, undefined));

    // Attributes out of order, a redundant declaration, an empty element, escapes that c14n writes differently, the
    // envelope's own prefix in the body (as a SOAP Fault has it), a default namespace undeclared again.
    const body = '<k:x xmlns:k="urn:k" xmlns:unused="urn:u" b="2" a="1&#9;&quot;"><y/>a &gt; b &#13; \'q\'</k:x>'
      + '<soapenv:Fault><faultcode>soapenv:Client</faultcode></soapenv:Fault><d xmlns="urn:d"><e xmlns=""/></d>';
    const relatesTo = 'urn:x?a=1&b=<2>\r\n"';
    const signed = signSoapMessage(response(relatesTo, { body }), creds.server, { now: NOW, signatureConfirmation: 'c2\tln"&<' });
    assert.equal(checkWithXmlCrypto(signed, creds.server.certificatePem).valid, true);
    withXmlDocument(signed, (doc) => {
      const verified = verifySoapRequest(doc, {}, NOW);
      assert.deepEqual(verified.signatureConfirmations, ['c2\tln"&<']);
      assert.equal(verified.addressing.get('RelatesTo')?.content, relatesTo);
    });
  });

  it('writes every signed part in the exclusive canonical form it has in the signed document', () => {
    const ds = { ds: 'http://www.w3.org/2000/09/xmldsig#', wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd' };
    for (const confirmation of [undefined, 'c2ln']) {
      const signed = signSoapMessage(response('urn:x?a=1&b=<2>\r'), creds.server, { now: NOW, ...(confirmation ? { signatureConfirmation: confirmation } : {}) });
      const canonicalParts = withXmlDocument(signed, (doc) => {
        const ids = [...signed.matchAll(/<ds:Reference URI="#([^"]+)"/g)].map((match) => match[1]!);
        const parts = ['//ds:SignedInfo', ...ids.map((id) => `//*[@wsu:Id='${id}']`)].map((path) => {
          const element = elementAt(doc, compileXPath(path, ds));
          assert.ok(element, path);
          return Buffer.from(canonicalizeExclusive(element)).toString('utf8');
        });
        return parts;
      });
      assert.equal(canonicalParts.length, confirmation ? 8 : 7);
      for (const canonical of canonicalParts) assert.ok(signed.includes(canonical), `not written as its canonical form: ${canonical}`);
    }
  });

  it('signs a header block whose text sits in one child element (wsa:ReplyTo/wsa:Address) in its canonical form', () => {
    const ds = { ds: 'http://www.w3.org/2000/09/xmldsig#', wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd', wsa: WSA };
    const message = response('urn:x');
    const replyTo = { namespaceUri: WSA, prefix: 'wsa', localName: 'ReplyTo', child: 'Address', text: 'http://www.w3.org/2005/08/addressing/anonymous' };
    const signed = signSoapMessage({ ...message, headers: [...message.headers, replyTo] }, creds.server, { now: NOW });
    assert.equal(checkWithXmlCrypto(signed, creds.server.certificatePem).valid, true);
    withXmlDocument(signed, (doc) => {
      const verified = verifySoapRequest(doc, {}, NOW);
      const address = elementAt(verified.addressing.get('ReplyTo')!, compileXPath('wsa:Address', ds));
      assert.equal(address?.content, 'http://www.w3.org/2005/08/addressing/anonymous');
      const element = elementAt(doc, compileXPath('//wsa:ReplyTo', ds))!;
      assert.ok(signed.includes(Buffer.from(canonicalizeExclusive(element)).toString('utf8')));
    });
    assert.throws(() => signSoapMessage({ ...message, headers: [{ ...replyTo, child: 'a b' }] }, creds.server), /Cannot sign a header block/);
  });

  it('refuses to sign a body that is not well-formed, or a header block that takes an envelope prefix', () => {
    assert.throws(() => signSoapMessage(response('x', { body: '<a><b></a>' }), creds.server, { now: NOW }), { code: 'WSS_ENVELOPE' });
    assert.throws(() => signSoapMessage(response('x', { body: '<!DOCTYPE a><a/>' }), creds.server, { now: NOW }), { code: 'WSS_ENVELOPE' });
    const takesDs = { headers: [{ namespaceUri: WSA, prefix: 'ds', localName: 'To', text: 'x' }], body: '<ok/>' };
    assert.throws(() => signSoapMessage(takesDs, creds.server, { now: NOW }), { code: 'WSS_ENVELOPE' });
    const badName = { headers: [{ namespaceUri: WSA, prefix: 'wsa', localName: 'To a="1"', text: 'x' }], body: '<ok/>' };
    assert.throws(() => signSoapMessage(badName, creds.server, { now: NOW }), { code: 'WSS_ENVELOPE' });
    const xmlPrefix = { headers: [{ namespaceUri: WSA, prefix: 'xmlns', localName: 'To', text: 'x' }], body: '<ok/>' };
    assert.throws(() => signSoapMessage(xmlPrefix, creds.server, { now: NOW }), { code: 'WSS_ENVELOPE' });
  });

  it('refuses to sign with a key that does not belong to the certificate', () => {
    assert.throws(() => signSoapMessage(response('x'), { certificatePem: creds.server.certificatePem, privateKeyPem: creds.client.privateKeyPem }), { code: 'WSS_TOKEN' });
  });

  it('reads the credentials again when their texts change, and then refuses a key that does not match', () => {
    const credentials = { ...creds.server };
    assert.equal(checkWithXmlCrypto(signSoapMessage(response('x'), credentials, { now: NOW }), creds.server.certificatePem).valid, true);
    credentials.privateKeyPem = creds.client.privateKeyPem;
    assert.throws(() => signSoapMessage(response('x'), credentials, { now: NOW }), { code: 'WSS_TOKEN' });
    credentials.certificatePem = creds.client.certificatePem;
    assert.equal(checkWithXmlCrypto(signSoapMessage(response('x'), credentials, { now: NOW }), creds.client.certificatePem).valid, true);
  });

  it('parses once: the document stays usable and nothing is searched again', () => {
    const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), { privateKeyPem: creds.client.privateKeyPem });
    const doc = parseXml(signed);
    try {
      const first = verifySoapRequest(doc, {}, NOW);
      const second = verifySoapRequest(doc, {}, NOW);
      assert.ok(first.body.isSameNode(second.body));
    } finally {
      doc.dispose();
    }
  });
});
