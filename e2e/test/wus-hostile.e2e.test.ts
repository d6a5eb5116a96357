import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { TestClientName } from '@poort/pki';
import { SERVICES, waitFor } from '@poort/testing';

import { E2eChain, SAMPLES } from '../src/index.js';
import {
  AANLEVEREN_ACTION,
  AANLEVER_PATH,
  ENVELOPED_SIGNATURE,
  EXC_C14N,
  EXC_C14N_WITH_COMMENTS,
  RSA_SHA1,
  SHA1,
  SOAP11,
  SOAP12,
  XPATH_TRANSFORM,
  RawSoapClient,
  aanleverRequest,
  bodyOf,
  editOnce,
  elementText,
  kenmerkOf,
  signerFrom,
  withDoctype,
  type AanleverRequestOptions,
  type BuiltRequest,
  type SendOptions,
  type SignerCredential,
  type SoapExchange,
} from '../src/wus-hostile-requests.js';

// Endpoint-level hostile input (issue #3): every request below reaches ingress's WUS endpoint over two-way TLS and
// must be refused with the exact SOAP fault, leave nothing stored or forwarded, and not crash or wedge a service.

const MINUTE = 60_000;
const STATUS_ACTION = 'http://logius.nl/digipoort/wus/2.0/statusinformatieservice/1.2/StatusinformatieService/getProcessenRequest';
/** ingress's default INGRESS_MAX_BODY_BYTES (E2eChain offers no way to lower it). */
const INGRESS_MAX_BODY_BYTES = 64 * 1024 * 1024;

interface Expected {
  readonly faultcode: 'Client' | 'Server';
  readonly foutcode: string;
  /** What foutbeschrijving must say: proves the refusal has the reason the case is about. */
  readonly reason: RegExp;
}

interface Snapshot {
  readonly messages: number;
  readonly payloads: number;
  readonly outbox: number;
  readonly seen: number;
  readonly recipientPosts: number;
  readonly recipientDeliveries: number;
}

describe('WUS hostile input: each refused with its exact fault, nothing stored or forwarded, no service harmed', () => {
  let e2e: E2eChain;
  let endpoint: string;
  const clients = new Map<string, RawSoapClient>();
  const signers = new Map<TestClientName, SignerCredential>();
  const outcomes: { name: string; status: number; fault: string; ms: number }[] = [];
  let accepted = 0;

  before(async () => {
    e2e = await E2eChain.start('wushostile');
    endpoint = `${e2e.chain.url('ingress')}${AANLEVER_PATH}`;
  });
  after(async () => {
    await Promise.all([...clients.values()].map((client) => client.close()));
    await e2e?.stop();
    if (process.env.WUS_HOSTILE_VERBOSE) {
      for (const outcome of outcomes) console.log(`  ${outcome.name}: ${outcome.status} ${outcome.fault} (${outcome.ms} ms)`);
    }
  });

  const signer = (name: TestClientName): SignerCredential => {
    let credential = signers.get(name);
    if (!credential) {
      credential = signerFrom(e2e.pki, name);
      signers.set(name, credential);
    }
    return credential;
  };
  const client = (as: TestClientName | 'anonymous' = 'sender-a'): RawSoapClient => {
    let raw = clients.get(as);
    if (!raw) {
      raw = new RawSoapClient(e2e.pki, as);
      clients.set(as, raw);
    }
    return raw;
  };

  /** A correct request from sender-a unless overridden. */
  const build = (overrides: Partial<AanleverRequestOptions> = {}): BuiltRequest =>
    aanleverRequest({ to: endpoint, signer: signer('sender-a'), content: SAMPLES.vatInstance, ...overrides });

  const send = (request: BuiltRequest | string | Buffer, options: SendOptions & { as?: TestClientName | 'anonymous' } = {}): Promise<SoapExchange> => {
    const body = typeof request === 'string' || Buffer.isBuffer(request) ? request : request.xml;
    const soapAction = 'soapAction' in options ? options.soapAction : AANLEVEREN_ACTION;
    return client(options.as).post(endpoint, body, { ...options, soapAction });
  };

  const snapshot = async (): Promise<Snapshot> => {
    const recipients = [...e2e.recipients.values()];
    return {
      messages: await e2e.count('messages'),
      payloads: await e2e.count('payloads'),
      outbox: await e2e.count('outbox'),
      seen: await e2e.count('wus_seen_messages'),
      recipientPosts: recipients.reduce((sum, recipient) => sum + recipient.posts, 0),
      recipientDeliveries: recipients.reduce((sum, recipient) => sum + recipient.deliveries.size, 0),
    };
  };

  /** Sends, expects the fault, and checks that nothing was stored or forwarded. */
  const refused = async (name: string, request: BuiltRequest | string | Buffer, expected: Expected, options: SendOptions & { as?: TestClientName | 'anonymous' } = {}) => {
    const before = await snapshot();
    const response = await send(request, options);
    const fault = response.fault;
    outcomes.push({ name, status: response.status, fault: fault ? `${fault.faultcode} ${fault.foutcode ?? '-'}: ${fault.foutbeschrijving ?? ''}` : response.body.slice(0, 200), ms: response.elapsedMs });
    assert.equal(response.status, 500, `${name}: ${response.body.slice(0, 1000)}`);
    assert.match(response.contentType ?? '', /^text\/xml/);
    assert.ok(fault, `${name}: no soap:Fault in ${response.body.slice(0, 1000)}`);
    assert.equal(fault.faultcodeNamespace, SOAP11, `faultcode ${fault.faultcode} is not a SOAP 1.1 code`);
    assert.equal(fault.faultcodeLocal, expected.faultcode, `${name}: ${fault.faultcode} ${fault.foutcode ?? ''} ${fault.foutbeschrijving ?? ''}`);
    assert.equal(fault.detailElement, 'aanleverFault');
    assert.equal(fault.foutcode, expected.foutcode, `${name}: ${fault.foutcode ?? ''} ${fault.foutbeschrijving ?? ''}`);
    assert.match(fault.foutbeschrijving ?? '', expected.reason);
    assert.deepEqual(await snapshot(), before, `${name}: something was stored or forwarded`);
    return response;
  };

  /** Waits until an accepted message is processed, delivered and every outbox is drained, so later snapshots are stable. */
  const settle = async (kenmerk: string) => {
    await e2e.waitForStatus(kenmerk, '400');
    await waitFor(`delivery of ${kenmerk}`, async () => e2e.recipient('belastingdienst').forKenmerk(kenmerk));
    await waitFor('the outbox to drain', async () => ((await e2e.count('outbox')) === 0 ? true : undefined), 30_000, 100);
  };

  const acceptedAndSettled = async (request: BuiltRequest, as: TestClientName = 'sender-a'): Promise<string> => {
    const response = await send(request, { as });
    assert.equal(response.status, 200, response.body.slice(0, 2000));
    assert.equal(response.fault, undefined);
    const kenmerk = kenmerkOf(response.body);
    assert.ok(kenmerk, `no kenmerk in ${response.body.slice(0, 1000)}`);
    assert.match(kenmerk, /^[0-9a-f-]{36}$/);
    accepted++;
    await settle(kenmerk);
    return kenmerk;
  };

  const wss = (code: string) => new RegExp(`WS-Security: .*\\(${code}\\)`);
  const client0002 = (reason: RegExp): Expected => ({ faultcode: 'Client', foutcode: '0002', reason });
  const envelope0001 = (reason: RegExp): Expected => ({ faultcode: 'Client', foutcode: '0001', reason });

  test('baseline: the unmutated request is accepted (200 + kenmerk), stored once and delivered', async () => {
    const before = await snapshot();
    const kenmerk = await acceptedAndSettled(build());
    const afterwards = await snapshot();
    assert.equal(afterwards.messages, before.messages + 1);
    assert.equal(afterwards.seen, before.seen + 1);
    assert.deepEqual(e2e.recipient('belastingdienst').forKenmerk(kenmerk)?.body, SAMPLES.vatInstance);
  });

  describe('XML parser attacks', () => {
    const doctype = envelope0001(/geen geldige XML: .*DOCTYPE/);

    test('XXE: external file entity', async () => {
      const xml = withDoctype(build().xml, '<!ENTITY xxe SYSTEM "file:///etc/passwd">');
      await refused('XXE file', editOnce(xml, '<aan:berichtsoort>Omzetbelasting<', '<aan:berichtsoort>&xxe;<'), doctype);
    });

    test('XXE: network entity', async () => {
      const xml = withDoctype(build().xml, '<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">');
      await refused('XXE network', editOnce(xml, '<aan:berichtsoort>Omzetbelasting<', '<aan:berichtsoort>&xxe;<'), doctype);
    });

    test('XXE: parameter entities (external DTD fetched through %p;)', async () => {
      const xml = withDoctype(build().xml, '<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p; <!ENTITY % q "<!ENTITY x \'y\'>"> %q;');
      await refused('XXE parameter entities', xml, doctype);
    });

    test('billion laughs', async () => {
      let subset = '<!ENTITY lol0 "lol">';
      for (let i = 1; i <= 9; i++) subset += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
      const xml = withDoctype(build().xml, subset);
      await refused('billion laughs', editOnce(xml, '<aan:berichtsoort>Omzetbelasting<', '<aan:berichtsoort>&lol9;<'), doctype);
    });

    test('quadratic blow-up', async () => {
      const xml = withDoctype(build().xml, `<!ENTITY big "${'A'.repeat(100_000)}">`);
      await refused('quadratic blow-up', editOnce(xml, '<aan:bestandsnaam>omzetbelasting.xbrl<', `<aan:bestandsnaam>${'&big;'.repeat(20_000)}<`), doctype);
    });

    test('excessive nesting depth', async () => {
      const deep = `${'<d>'.repeat(50_000)}${'</d>'.repeat(50_000)}`;
      const xml = editOnce(build().xml, '</aan:aanleverRequest>', `<x:deep xmlns:x="urn:x">${deep}</x:deep></aan:aanleverRequest>`);
      await refused('excessive depth', xml, envelope0001(/geen geldige XML: .*depth/i));
    });

    test('oversize body (> INGRESS_MAX_BODY_BYTES)', async () => {
      const request = build().xml;
      const padding = Buffer.alloc(INGRESS_MAX_BODY_BYTES + 1 - Buffer.byteLength(request) + 16, 0x20);
      const body = Buffer.concat([Buffer.from(editOnce(request, '</soap:Envelope>', ''), 'utf8'), padding, Buffer.from('</soap:Envelope>')]);
      assert.ok(body.length > INGRESS_MAX_BODY_BYTES);
      await refused('oversize body', body, { faultcode: 'Client', foutcode: 'ALS100', reason: /geweigerd: .*(large|groot)/i }, { timeoutMs: 30_000 });
    });
  });

  describe('signature wrapping', () => {
    test('signed Body moved into a custom header wrapper, fake Body in its place', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const body = bodyOf(signed);
          const moved = editOnce(signed, body, '<soap:Body><evil xmlns="urn:evil">pay me</evil></soap:Body>');
          return editOnce(moved, '</soap:Header>', `<w:Wrapper xmlns:w="urn:evil">${body}</w:Wrapper></soap:Header>`);
        },
      });
      await refused('wrap: Body in custom header', xml, { faultcode: 'Client', foutcode: '0010', reason: /urn:evil.*Wrapper.*niet toegestaan/ });
    });

    test('signed Body moved into wsa:ReplyTo/ReferenceParameters, fake Body in its place', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const body = bodyOf(signed);
          const moved = editOnce(signed, body, '<soap:Body><evil xmlns="urn:evil">pay me</evil></soap:Body>');
          return editOnce(moved, '</soap:Header>',
            `<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address><wsa:ReferenceParameters>${body}</wsa:ReferenceParameters></wsa:ReplyTo></soap:Header>`);
        },
      });
      await refused('wrap: Body in wsa:ReplyTo', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('Body duplicated: a second soap:Body after the signed one', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Body>', '</soap:Body><soap:Body><evil xmlns="urn:evil"/></soap:Body>') });
      await refused('wrap: second Body', xml, envelope0001(/precies een Header en een Body/));
    });

    test('signed Body nested inside a fake Body', async () => {
      const xml = build({ afterSigning: (signed) => { const body = bodyOf(signed); return editOnce(signed, body, `<soap:Body><evil xmlns="urn:evil">${body}</evil></soap:Body>`); } });
      await refused('wrap: Body inside fake Body', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('duplicate wsu:Id: the Body id again inside the payload', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '<aan:berichtsoort>', '<aan:x wsu:Id="id-body"/><aan:berichtsoort>') });
      await refused('wrap: duplicate wsu:Id', xml, client0002(wss('WSS_DUPLICATE_ID')));
    });

    test('duplicate ID through a plain Id on a fake Body, signed Body hidden in wsse:Security', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const body = bodyOf(signed);
          const moved = editOnce(signed, body, '<soap:Body Id="id-body"><evil xmlns="urn:evil"/></soap:Body>');
          return editOnce(moved, '</wsse:Security>', `${body}</wsse:Security>`);
        },
      });
      await refused('wrap: plain Id duplicate', xml, client0002(wss('WSS_DUPLICATE_ID')));
    });

    test('signed Body copy inside wsse:Security, fake Body in its place', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const body = bodyOf(signed);
          const moved = editOnce(signed, body, '<soap:Body><evil xmlns="urn:evil">pay me</evil></soap:Body>');
          return editOnce(moved, '</wsse:Security>', `${body}</wsse:Security>`);
        },
      });
      await refused('wrap: Body in wsse:Security', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('a reference to an element elsewhere (inside the Body)', async () => {
      const xml = build({
        beforeSigning: (unsigned) => editOnce(unsigned, '<aan:berichtsoort>', '<aan:berichtsoort wsu:Id="inner">'),
        extraReferences: ["//*[local-name(.)='berichtsoort']"],
      });
      await refused('wrap: reference elsewhere', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('a second ds:Signature in wsse:Security', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const signature = elementText(signed, 'ds:Signature');
          return editOnce(signed, '</wsse:Security>', `${signature.replace(/ Id="[^"]*"/g, '')}</wsse:Security>`);
        },
      });
      await refused('wrap: second Signature', xml, client0002(wss('WSS_SIGNATURE_STRUCTURE')));
    });

    test('signed Timestamp moved out of wsse:Security, fresh unsigned Timestamp inside', async () => {
      const xml = build({
        afterSigning: (signed) => {
          const timestamp = elementText(signed, 'wsu:Timestamp');
          const swapped = editOnce(signed, timestamp, `<wsu:Timestamp><wsu:Created>${new Date().toISOString()}</wsu:Created></wsu:Timestamp>`);
          return editOnce(swapped, '</soap:Header>', `${timestamp}</soap:Header>`);
        },
      });
      await refused('wrap: Timestamp outside Security', xml, { faultcode: 'Client', foutcode: '0010', reason: /Timestamp is niet toegestaan/ });
    });

    test('an unsigned duplicate wsa:To', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Header>', '<wsa:To>https://evil.example/elders</wsa:To></soap:Header>') });
      await refused('wrap: duplicate wsa:To', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('an unsigned duplicate wsa:Action', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Header>', `<wsa:Action>${STATUS_ACTION}</wsa:Action></soap:Header>`) });
      await refused('wrap: duplicate wsa:Action', xml, client0002(wss('WSS_WRAPPING')));
    });

    test('an unsigned wsa:ReplyTo', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Header>', '<wsa:ReplyTo><wsa:Address>https://evil.example/</wsa:Address></wsa:ReplyTo></soap:Header>') });
      await refused('wrap: unsigned wsa:ReplyTo', xml, client0002(wss('WSS_REFERENCES')));
    });

    test('a custom header block', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Header>', '<x:Custom xmlns:x="urn:x" soap:mustUnderstand="0">hi</x:Custom></soap:Header>') });
      await refused('wrap: custom header', xml, { faultcode: 'Client', foutcode: '0010', reason: /\{urn:x\}Custom is niet toegestaan/ });
    });

    test('a second soap:Header', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '</soap:Header>', '</soap:Header><soap:Header/>') });
      await refused('wrap: second Header', xml, envelope0001(/precies een Header en een Body/));
    });
  });

  describe('signature values, references, algorithms and transforms', () => {
    test('a comment injected into a DigestValue', async () => {
      const xml = build({ afterSigning: (signed) => signed.replace(/<ds:DigestValue>([A-Za-z0-9+/]{4})/, '<ds:DigestValue>$1<!-- c -->') });
      await refused('comment in DigestValue', xml, client0002(wss('WSS_SIGNATURE_STRUCTURE')));
    });

    test('an extra SignedInfo reference (to the BinarySecurityToken)', async () => {
      await refused('extra reference: BST', build({ extraReferences: ["//*[local-name(.)='BinarySecurityToken']"] }), client0002(wss('WSS_REFERENCES')));
    });

    test('multiple references to the Body', async () => {
      await refused('extra reference: Body twice', build({ extraReferences: ["//*[local-name(.)='Body']"] }), client0002(wss('WSS_REFERENCES')));
    });

    test('SHA-1 digests (no legacy switch)', async () => {
      await refused('SHA-1 digest', build({ digestAlgorithm: SHA1 }), client0002(wss('WSS_ALGORITHM')));
    });

    test('RSA-SHA1 signature (no legacy switch)', async () => {
      await refused('RSA-SHA1', build({ signatureAlgorithm: RSA_SHA1 }), client0002(wss('WSS_ALGORITHM')));
    });

    test('MD5 digest method', async () => {
      const xml = build({ afterSigning: (signed) => signed.replaceAll('http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmldsig-more#md5') });
      await refused('MD5 digest', xml, client0002(wss('WSS_ALGORITHM')));
    });

    test('the enveloped-signature transform', async () => {
      await refused('enveloped-signature transform', build({ transforms: [ENVELOPED_SIGNATURE, EXC_C14N] }), client0002(wss('WSS_TRANSFORM')));
    });

    test('an XPath transform', async () => {
      const xml = build({
        afterSigning: (signed) => editOnce(signed, /<ds:Transform Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"\/>(?=<\/ds:Transforms><ds:DigestMethod[^>]*\/><ds:DigestValue>[^<]*<\/ds:DigestValue><\/ds:Reference><\/ds:SignedInfo>)/,
          `<ds:Transform Algorithm="${XPATH_TRANSFORM}"><ds:XPath>1</ds:XPath></ds:Transform>`),
      });
      await refused('XPath transform', xml, client0002(wss('WSS_TRANSFORM')));
    });

    test('exc-c14n with comments as the reference transform', async () => {
      await refused('c14n WithComments transform', build({ transforms: [EXC_C14N_WITH_COMMENTS] }), client0002(wss('WSS_TRANSFORM')));
    });

    test('exc-c14n with comments as the canonicalization method', async () => {
      await refused('c14n WithComments canonicalization', build({ canonicalization: EXC_C14N_WITH_COMMENTS }), client0002(wss('WSS_ALGORITHM')));
    });

    test('the Body tampered with after signing', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, '<aan:rolBelanghebbende>Bedrijf<', '<aan:rolBelanghebbende>Bedrijg<') });
      await refused('tampered Body', xml, client0002(wss('WSS_DIGEST_MISMATCH')));
    });

    test('wsa:To changed after signing', async () => {
      const xml = build({ afterSigning: (signed) => editOnce(signed, `>${endpoint}<`, '>https://evil.example/wus/2.0/aanleverservice/1.2<') });
      await refused('tampered wsa:To', xml, client0002(wss('WSS_DIGEST_MISMATCH')));
    });
  });

  describe('certificates', () => {
    test('signed with an expired certificate', async () => {
      await refused('expired signer', build({ signer: signer('expired') }), client0002(/ondertekeningscertificaat niet geaccepteerd/));
    });

    test('signed with a revoked certificate (hard-fail with the test CRL)', async () => {
      await refused('revoked signer', build({ signer: signer('revoked') }), client0002(/ondertekeningscertificaat niet geaccepteerd/));
    });

    test('signed with a certificate from an untrusted chain', async () => {
      await refused('untrusted signer', build({ signer: signer('untrusted') }), client0002(/ondertekeningscertificaat niet geaccepteerd/));
    });

    test('TLS and signature certificates of different OINs (TLS sender-a, signed by sender-b)', async () => {
      await refused('wrong OIN signer', build({ signer: signer('sender-b') }), client0002(/ondertekend door OIN 00000099000000000002, de TLS-verbinding is van OIN 00000099000000000001/));
    });

    test('TLS and signature certificates of different OINs (TLS sender-b, signed by sender-a)', async () => {
      await refused('wrong OIN TLS', build(), client0002(/ondertekend door OIN 00000099000000000001, de TLS-verbinding is van OIN 00000099000000000002/), { as: 'sender-b' });
    });

    test('TLS: a client certificate from an untrusted CA gets a fault, not a hang', async () => {
      await refused('untrusted TLS client', build({ signer: signer('untrusted') }), client0002(/niet geautoriseerd/), { as: 'untrusted' });
    });

    test('TLS: no client certificate gets a fault, not a hang', async () => {
      await refused('no TLS client certificate', build(), client0002(/niet geautoriseerd/), { as: 'anonymous' });
    });
  });

  describe('replay and time', () => {
    test('a replayed MessageID: first accepted, the second refused, one message stored', async () => {
      const request = build();
      const before = await snapshot();
      await acceptedAndSettled(request);
      assert.equal((await snapshot()).messages, before.messages + 1);
      await refused('replayed MessageID', request, { faultcode: 'Client', foutcode: '0011', reason: new RegExp(`wsa:MessageID ${request.messageId ?? '?'} is al eerder ontvangen`) });
      assert.equal((await snapshot()).messages, before.messages + 1);
    });

    test('a stale timestamp (Created 1 hour ago)', async () => {
      const created = new Date(Date.now() - 60 * MINUTE);
      await refused('stale timestamp', build({ created, expires: new Date(created.getTime() + 5 * MINUTE) }), client0002(wss('WSS_TIMESTAMP_STALE')));
    });

    test('a future timestamp (Created in 1 hour)', async () => {
      await refused('future timestamp', build({ created: new Date(Date.now() + 60 * MINUTE) }), client0002(wss('WSS_TIMESTAMP_FUTURE')));
    });
  });

  describe('WS-Addressing, SOAPAction, SOAP version and encoding', () => {
    test('missing wsa:To', async () => {
      await refused('missing wsa:To', build({ to: null }), { faultcode: 'Client', foutcode: '0005', reason: /wsa:To ontbreekt/ });
    });

    test('missing wsa:Action (empty SOAPAction)', async () => {
      await refused('missing wsa:Action', build({ action: null }), { faultcode: 'Client', foutcode: '0006', reason: /wsa:Action ontbreekt/ }, { soapAction: '' });
    });

    test('missing wsa:Action with a SOAPAction header: the SOAPAction does not match', async () => {
      await refused('missing wsa:Action + SOAPAction', build({ action: null }), { faultcode: 'Client', foutcode: '0003', reason: /SOAPAction .* niet gelijk aan wsa:Action/ });
    });

    test('missing wsa:MessageID', async () => {
      await refused('missing wsa:MessageID', build({ messageId: null }), { faultcode: 'Client', foutcode: '0007', reason: /wsa:MessageID ontbreekt/ });
    });

    test('wrong wsa:To (another endpoint path)', async () => {
      const to = `${e2e.chain.url('ingress')}/wus/2.0/statusinformatieservice/1.2`;
      await refused('wrong wsa:To', build({ to }), { faultcode: 'Client', foutcode: '0011', reason: /wsa:To .* is niet het endpoint van deze service/ });
    });

    test('wrong wsa:Action (SOAPAction equal to it)', async () => {
      await refused('wrong wsa:Action', build({ action: STATUS_ACTION }), { faultcode: 'Client', foutcode: '0011', reason: /wsa:Action .* hoort niet bij aanleveren/ }, { soapAction: STATUS_ACTION });
    });

    test('SOAPAction header not matching wsa:Action', async () => {
      await refused('SOAPAction mismatch', build(), { faultcode: 'Client', foutcode: '0003', reason: /SOAPAction .* niet gelijk aan wsa:Action/ }, { soapAction: STATUS_ACTION });
    });

    test('SOAP 1.2 envelope namespace (sent as text/xml)', async () => {
      await refused('SOAP 1.2 namespace', build({ soapNamespace: SOAP12 }), envelope0001(/SOAP 1\.2 wordt niet ondersteund/));
    });

    test('SOAP 1.2 envelope as application/soap+xml', async () => {
      await refused('SOAP 1.2 content type', build({ soapNamespace: SOAP12 }), envelope0001(/SOAP 1\.2 wordt niet ondersteund/), {
        contentType: `application/soap+xml; charset=utf-8; action="${AANLEVEREN_ACTION}"`,
      });
    });

    const latin1 = () => {
      const xml = build({ aanleverkenmerk: 'hostile-ëäï' }).xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
      const bytes = Buffer.from(xml, 'latin1');
      assert.ok(bytes.includes(Buffer.from([0xeb, 0xe4, 0xef])), 'latin-1 bytes in the body');
      return bytes;
    };

    test('a non-UTF-8 body: ISO-8859-1 declaration and bytes, content-type charset=iso-8859-1', async () => {
      await refused('ISO-8859-1 (charset header)', latin1(), { faultcode: 'Client', foutcode: '0009', reason: /charset iso-8859-1 wordt niet ondersteund/ }, {
        contentType: 'text/xml; charset=iso-8859-1',
      });
    });

    test('a non-UTF-8 body: ISO-8859-1 declaration and bytes, content-type claiming UTF-8', async () => {
      await refused('ISO-8859-1 (declaration)', latin1(), { faultcode: 'Client', foutcode: '0009', reason: /encoding iso-8859-1 wordt niet ondersteund/ });
    });

    test('a UTF-16 body', async () => {
      const xml = build().xml.replace('encoding="UTF-8"', 'encoding="UTF-16"');
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
      await refused('UTF-16', bytes, { faultcode: 'Client', foutcode: '0009', reason: /UTF-16/ });
    });
  });

  test('afterwards: all eight services are ready, a valid request is still accepted, and only accepted requests were stored', async () => {
    for (const service of SERVICES) assert.equal(await e2e.chain.isReady(service), true, `${service} is not ready`);
    await acceptedAndSettled(build());
    const state = await snapshot();
    assert.equal(state.messages, accepted, 'messages stored = requests accepted');
    assert.equal(state.payloads, accepted, 'payloads stored = requests accepted');
    assert.equal(state.seen, accepted, 'MessageIDs remembered = requests accepted');
    assert.equal(e2e.recipient('belastingdienst').deliveries.size, accepted, 'deliveries = requests accepted');
    assert.equal(e2e.recipient('ministerie-bzk').posts, 0, 'the ministry got nothing');
    for (const service of SERVICES) assert.equal(await e2e.chain.isReady(service), true, `${service} is not ready`);
  });
});
