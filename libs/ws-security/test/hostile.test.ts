import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { withXmlDocument } from '@poort/xml';
import { verifySoapRequest, type WsSecurityErrorCode, type WsSecurityPolicy } from '../src/index.js';
import {
  EXC_C14N, PROFILE_REFERENCES, RSA_SHA1, SHA1, signWithXmlCrypto, SOAP11, unsignedRequest, type XmlCryptoSignOptions,
} from './support/requests.js';
import { testCredentials, type TestCredentials } from './support/test-credentials.js';

const NOW = new Date('2025-06-02T10:00:00.000Z');
const minutes = (n: number): number => n * 60_000;

describe('hostile requests are refused with the exact reason', () => {
  let creds: TestCredentials;
  let good: string;

  const sign = (options: { created?: Date; expires?: Date | null; extraAddressing?: string; withTimestamp?: boolean } & Partial<XmlCryptoSignOptions> = {}): string => {
    const { created, expires, extraAddressing, withTimestamp, ...signOptions } = options;
    const unsigned = unsignedRequest({
      certificatePem: creds.client.certificatePem,
      created: created ?? NOW,
      ...(expires === undefined ? {} : { expires }),
      ...(extraAddressing === undefined ? {} : { extraAddressing }),
      ...(withTimestamp === undefined ? {} : { withTimestamp }),
    });
    return signWithXmlCrypto(unsigned, { privateKeyPem: creds.client.privateKeyPem, ...signOptions });
  };

  const refuse = (xml: string, code: WsSecurityErrorCode, policy?: Partial<WsSecurityPolicy>): void => {
    withXmlDocument(xml, (doc) => {
      assert.throws(() => verifySoapRequest(doc, policy, NOW), (error: unknown) => {
        if (process.env.WSS_TEST_VERBOSE) console.log(`    ${code}: ${String(error)}`);
        assert.equal((error as { code?: unknown }).code, code, `expected ${code}, got ${String(error)}`);
        return true;
      });
    });
  };

  /** Replaces exactly one occurrence, so a test cannot silently stop testing what it says. */
  const edit = (xml: string, from: string | RegExp, to: string): string => {
    const matches = typeof from === 'string' ? xml.split(from).length - 1 : (xml.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
    assert.equal(matches, 1, `expected exactly one ${String(from)}`);
    return xml.replace(from, to);
  };

  const bodyOf = (xml: string): string => {
    const match = /<soap:Body wsu:Id="id-body">[\s\S]*<\/soap:Body>/.exec(xml);
    assert.ok(match);
    return match[0];
  };

  before(async () => {
    creds = await testCredentials();
    good = sign();
    withXmlDocument(good, (doc) => verifySoapRequest(doc, {}, NOW)); // the baseline is accepted
  });

  describe('signature wrapping', () => {
    it('signed Body moved into a header wrapper, fake Body in its place', () => {
      const body = bodyOf(good);
      const moved = edit(good, body, '<soap:Body><evil xmlns="urn:evil">pay me</evil></soap:Body>');
      refuse(edit(moved, '</soap:Header>', `<w:Wrapper xmlns:w="urn:evil">${body}</w:Wrapper></soap:Header>`), 'WSS_WRAPPING');
    });

    it('signed Body copy inside wsse:Security, fake Body in its place', () => {
      const body = bodyOf(good);
      const moved = edit(good, body, '<soap:Body><evil xmlns="urn:evil"/></soap:Body>');
      refuse(edit(moved, '</wsse:Security>', `${body}</wsse:Security>`), 'WSS_WRAPPING');
    });

    it('signed Body hidden inside an unsigned wsa:ReplyTo (reference to an unexpected place)', () => {
      const body = bodyOf(good);
      const moved = edit(good, body, '<soap:Body><evil xmlns="urn:evil"/></soap:Body>');
      refuse(edit(moved, '</soap:Header>', `<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address><wsa:ReferenceParameters>${body}</wsa:ReferenceParameters></wsa:ReplyTo></soap:Header>`), 'WSS_WRAPPING');
    });

    it('signed Body nested inside a fake Body', () => {
      const body = bodyOf(good);
      refuse(edit(good, body, `<soap:Body><evil xmlns="urn:evil">${body}</evil></soap:Body>`), 'WSS_WRAPPING');
    });

    it('a second soap:Body after the signed one', () => {
      refuse(edit(good, '</soap:Body>', '</soap:Body><soap:Body><evil xmlns="urn:evil"/></soap:Body>'), 'WSS_WRAPPING');
    });

    it('a second soap:Header', () => {
      refuse(edit(good, '</soap:Header>', '</soap:Header><soap:Header/>'), 'WSS_WRAPPING');
    });

    it('duplicate wsu:Id: a copy of the Body id inside the payload', () => {
      refuse(edit(good, '<aan:berichtsoort>', '<aan:x wsu:Id="id-body"/><aan:berichtsoort>'), 'WSS_DUPLICATE_ID');
    });

    it('duplicate ID through another ID attribute (plain Id) on a fake Body', () => {
      const body = bodyOf(good);
      const moved = edit(good, body, '<soap:Body Id="id-body"><evil xmlns="urn:evil"/></soap:Body>');
      refuse(edit(moved, '</soap:Header>', `<w:Wrapper xmlns:w="urn:evil">${body}</w:Wrapper></soap:Header>`), 'WSS_DUPLICATE_ID');
    });

    it('a second ds:Signature in wsse:Security', () => {
      const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(good)?.[0];
      assert.ok(signature);
      refuse(edit(good, '</wsse:Security>', `${signature.replace(/Id="[^"]*"/g, '')}</wsse:Security>`), 'WSS_SIGNATURE_STRUCTURE');
    });

    it('signed Timestamp moved out of wsse:Security, fresh unsigned Timestamp inside', () => {
      const timestamp = /<wsu:Timestamp[\s\S]*<\/wsu:Timestamp>/.exec(good)?.[0];
      assert.ok(timestamp);
      const swapped = edit(good, timestamp, '<wsu:Timestamp><wsu:Created>2025-06-02T10:00:00Z</wsu:Created></wsu:Timestamp>');
      refuse(edit(swapped, '</soap:Header>', `${timestamp}</soap:Header>`), 'WSS_WRAPPING');
    });

    it('a wsa header duplicated, the copy unsigned', () => {
      refuse(edit(good, '</soap:Header>', '<wsa:To>https://evil.example/</wsa:To></soap:Header>'), 'WSS_WRAPPING');
    });

    it('an unsigned wsa header', () => {
      refuse(edit(good, '</soap:Header>', '<wsa:ReplyTo><wsa:Address>https://evil.example/</wsa:Address></wsa:ReplyTo></soap:Header>'), 'WSS_REFERENCES');
    });

    it('a reference to an element inside the Body', () => {
      const unsigned = unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }).replace('<aan:berichtsoort>', '<aan:berichtsoort wsu:Id="inner">');
      const signed = signWithXmlCrypto(unsigned, { privateKeyPem: creds.client.privateKeyPem, references: [...PROFILE_REFERENCES, "//*[local-name(.)='berichtsoort']"] });
      refuse(signed, 'WSS_WRAPPING');
    });

    it('an unknown header block', () => {
      refuse(edit(good, '</soap:Header>', '<x:Custom xmlns:x="urn:x">hi</x:Custom></soap:Header>'), 'WSS_WRAPPING');
    });
  });

  describe('references', () => {
    it('an extra reference to the BinarySecurityToken', () => {
      refuse(sign({ references: [...PROFILE_REFERENCES, "//*[local-name(.)='BinarySecurityToken']"] }), 'WSS_REFERENCES');
    });

    it('two references to the Body', () => {
      refuse(sign({ references: [...PROFILE_REFERENCES, "//*[local-name(.)='Body']"] }), 'WSS_REFERENCES');
    });

    it('wsa:MessageID not signed', () => {
      refuse(sign({ references: PROFILE_REFERENCES.filter((r) => !r.includes('MessageID')) }), 'WSS_REFERENCES');
    });

    it('Body not signed', () => {
      refuse(sign({ references: PROFILE_REFERENCES.filter((r) => !r.includes('Body')) }), 'WSS_REFERENCES');
    });

    it('Timestamp not signed', () => {
      refuse(sign({ references: PROFILE_REFERENCES.filter((r) => !r.includes('Timestamp')) }), 'WSS_REFERENCES');
    });

    it('an empty URI, an XPointer and an unresolvable id', () => {
      refuse(edit(good, 'URI="#id-body"', 'URI=""'), 'WSS_REFERENCES');
      refuse(edit(good, 'URI="#id-body"', `URI="#xpointer(id('id-body'))"`), 'WSS_REFERENCES');
      refuse(edit(good, 'URI="#id-body"', 'URI="#nowhere"'), 'WSS_REFERENCES');
    });

    it('KeyInfo pointing somewhere else than the BinarySecurityToken', () => {
      refuse(edit(good, 'URI="#X509-1"', 'URI="#id-body"'), 'WSS_TOKEN');
    });
  });

  describe('values', () => {
    it('a comment inside a DigestValue', () => {
      refuse(good.replace(/<ds:DigestValue>(.)/, '<ds:DigestValue><!-- c -->$1'), 'WSS_SIGNATURE_STRUCTURE');
    });

    it('a comment inside the SignatureValue', () => {
      refuse(good.replace(/<ds:SignatureValue>(.)/, '<ds:SignatureValue>$1<!---->'), 'WSS_SIGNATURE_STRUCTURE');
    });

    it('an element inside a DigestValue', () => {
      refuse(good.replace(/<ds:DigestValue>/, '<ds:DigestValue><x/>'), 'WSS_SIGNATURE_STRUCTURE');
    });

    it('tampered Body: digest mismatch', () => {
      refuse(edit(good, '<aan:aanleverkenmerk>AK-2025-0001<', '<aan:aanleverkenmerk>AK-2025-0002<'), 'WSS_DIGEST_MISMATCH');
    });

    it('tampered wsa:To: digest mismatch', () => {
      refuse(edit(good, '>https://poort.test/wus/2.0/aanleverservice/1.2<', '>https://evil.example/<'), 'WSS_DIGEST_MISMATCH');
    });

    it('tampered SignedInfo (a digest value replaced): signature invalid', () => {
      const digest = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(good)?.[1];
      assert.ok(digest);
      const other = Buffer.from(digest, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b));
      refuse(edit(good, `<ds:DigestValue>${digest}<`, `<ds:DigestValue>${Buffer.from(other).toString('base64')}<`), 'WSS_SIGNATURE_INVALID');
    });

    it('a signature by another key than the token\'s', () => {
      const signed = signWithXmlCrypto(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), { privateKeyPem: creds.server.privateKeyPem });
      refuse(signed, 'WSS_SIGNATURE_INVALID');
    });
  });

  describe('algorithms and transforms', () => {
    it('SHA-1 digests without the legacy switch, accepted with it', () => {
      const signed = sign({ digestAlgorithm: SHA1 });
      refuse(signed, 'WSS_ALGORITHM');
      withXmlDocument(signed, (doc) => assert.ok(verifySoapRequest(doc, { allowSha1: true }, NOW)));
    });

    it('MD5 digests, even with the legacy switch', () => {
      const md5 = good.replaceAll('http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmldsig-more#md5');
      refuse(md5, 'WSS_ALGORITHM');
      refuse(md5, 'WSS_ALGORITHM', { allowSha1: true });
    });

    it('RSA-SHA1 without the switch', () => {
      refuse(sign({ signatureAlgorithm: RSA_SHA1 }), 'WSS_ALGORITHM');
    });

    it('an HMAC signature method', () => {
      refuse(edit(good, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1'), 'WSS_ALGORITHM');
    });

    it('inclusive C14N as the canonicalization method', () => {
      refuse(good.replace(`<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"`, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"'), 'WSS_ALGORITHM');
    });

    it('the enveloped-signature transform', () => {
      refuse(sign({ transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N] }), 'WSS_TRANSFORM');
    });

    it('exc-c14n with comments', () => {
      refuse(sign({ transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#WithComments'] }), 'WSS_TRANSFORM');
    });

    it('an XPath transform', () => {
      const xpath = good.replace(`<ds:Transform Algorithm="${EXC_C14N}"/>`,
        '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform>');
      assert.notEqual(xpath, good);
      refuse(xpath, 'WSS_TRANSFORM');
    });

    it('an XSLT transform next to exc-c14n', () => {
      const xslt = good.replace(`<ds:Transform Algorithm="${EXC_C14N}"/>`,
        `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/><ds:Transform Algorithm="${EXC_C14N}"/>`);
      assert.notEqual(xslt, good);
      refuse(xslt, 'WSS_TRANSFORM');
    });

    it('no transforms at all', () => {
      refuse(good.replace(/<ds:Transforms>[\s\S]*?<\/ds:Transforms>/, ''), 'WSS_TRANSFORM');
    });
  });

  describe('timestamps', () => {
    it('stale Created', () => refuse(sign({ created: new Date(NOW.getTime() - minutes(11)), expires: null }), 'WSS_TIMESTAMP_STALE'));
    it('Created in the future', () => refuse(sign({ created: new Date(NOW.getTime() + minutes(6)) }), 'WSS_TIMESTAMP_FUTURE'));
    it('Created within the skew is fine', () => {
      withXmlDocument(sign({ created: new Date(NOW.getTime() + minutes(4)) }), (doc) => assert.ok(verifySoapRequest(doc, {}, NOW)));
    });
    it('Expires in the past', () => refuse(sign({ created: new Date(NOW.getTime() - minutes(9)), expires: new Date(NOW.getTime() - minutes(6)) }), 'WSS_TIMESTAMP_STALE'));
    it('Expires before Created', () => refuse(sign({ created: NOW, expires: new Date(NOW.getTime() - 1000) }), 'WSS_TIMESTAMP'));
    it('Created without a UTC designator', () => refuse(good.replace('<wsu:Created>2025-06-02T10:00:00.000Z<', '<wsu:Created>2025-06-02T10:00:00.000<'), 'WSS_TIMESTAMP'));
    it('a stricter policy', () => refuse(sign({ created: new Date(NOW.getTime() - minutes(2)) }), 'WSS_TIMESTAMP_STALE', { maxMessageAgeMs: 30_000, clockSkewMs: 30_000 }));
  });

  describe('missing or malformed parts', () => {
    it('missing Timestamp', () => refuse(sign({ withTimestamp: false, references: PROFILE_REFERENCES.filter((r) => !r.includes('Timestamp')) }), 'WSS_TIMESTAMP'));
    it('missing BinarySecurityToken', () => refuse(good.replace(/<wsse:BinarySecurityToken[\s\S]*<\/wsse:BinarySecurityToken>/, ''), 'WSS_TOKEN'));
    it('missing Signature', () => refuse(unsignedRequest({ certificatePem: creds.client.certificatePem, created: NOW }), 'WSS_SIGNATURE_STRUCTURE'));
    it('missing wsse:Security', () => refuse(good.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, ''), 'WSS_MISSING_SECURITY'));
    it('missing soap:Header', () => refuse(good.replace(/<soap:Header>[\s\S]*<\/soap:Header>/, ''), 'WSS_MISSING_SECURITY'));
    it('a BinarySecurityToken that is not X509v3', () => refuse(good.replace('#X509v3" wsu:Id="X509-1"', '#X509PKIPathv1" wsu:Id="X509-1"'), 'WSS_TOKEN'));
    it('a BinarySecurityToken that is not a certificate', () => refuse(good.replace(/(<wsse:BinarySecurityToken[^>]*>)[^<]+/, '$1AAAA'), 'WSS_TOKEN'));
    it('SOAP 1.2', () => refuse(good.replaceAll(SOAP11, 'http://www.w3.org/2003/05/soap-envelope'), 'WSS_ENVELOPE'));
    it('a ds:Object in the Signature', () => refuse(edit(good, '</ds:KeyInfo>', '</ds:KeyInfo><ds:Object/>'), 'WSS_SIGNATURE_STRUCTURE'));
  });
});
