import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { TrustStoreVerifier, generateTestPki, identityFromCertificate, type ClientIdentity, type TestPki } from '@poort/pki';
import { parseXml } from '@poort/xml';

import { AANLEVER_SERVICE, NS, WusEndpoint, aanleverResponseXml, readAanleverRequest, type WusHttpResponse } from '../src/index.js';
import { ACTIONS, FakeSecurity, aanleverRequestXml, koppelvlakSchema, requestEnvelope, type EnvelopeOptions } from './fixtures.js';

let dir: string;
let pki: TestPki;
let senderA: X509Certificate;
let senderB: X509Certificate;
let tlsA: ClientIdentity;
let verifier: TrustStoreVerifier;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poort-wus-'));
  pki = await generateTestPki(join(dir, 'pki'));
  senderA = new X509Certificate(await readFile(pki.clients['sender-a'].cert));
  senderB = new X509Certificate(await readFile(pki.clients['sender-b'].cert));
  tlsA = identityFromCertificate(senderA);
  verifier = new TrustStoreVerifier(await readFile(pki.caChain, 'utf8'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function endpoint(security = new FakeSecurity(senderA)) {
  const seen = new Set<string>();
  const errors: unknown[] = [];
  const wus = new WusEndpoint({
    service: AANLEVER_SERVICE,
    security,
    signingCertificates: verifier,
    replay: { remember: (fingerprint, id) => Promise.resolve(!seen.has(`${fingerprint} ${id}`) && Boolean(seen.add(`${fingerprint} ${id}`))) },
    schema: koppelvlakSchema(),
    maxRequestBytes: 1024 * 1024,
    onError: (error) => errors.push(error),
    handlers: {
      aanleveren: ({ payload }) => {
        const request = readAanleverRequest(payload);
        return Promise.resolve(
          aanleverResponseXml({
            kenmerk: 'k-1',
            berichtsoort: request.berichtsoort,
            tijdstempelAangeleverd: '2026-01-01T00:00:00Z',
            identiteitBelanghebbende: request.identiteitBelanghebbende,
            rolBelanghebbende: request.rolBelanghebbende,
          }),
        );
      },
    },
  });
  return { wus, security, errors };
}

function post(wus: WusEndpoint, envelope: string | EnvelopeOptions, headers: { contentType?: string; soapAction?: string } = {}) {
  return wus.handle({
    body: Buffer.from(typeof envelope === 'string' ? envelope : requestEnvelope(envelope)),
    contentType: headers.contentType ?? 'text/xml; charset=utf-8',
    soapAction: headers.soapAction,
    tlsIdentity: tlsA,
  });
}

const ns = { s: NS.soap11, kv: NS.kv, wsa: NS.wsa };
function fault(response: WusHttpResponse): { faultcode: string; foutcode: string; relatesTo: string; action: string } {
  const doc = parseXml(response.body);
  try {
    const read = (xpath: string) => String(doc.eval(`string(${xpath})`, ns));
    return {
      faultcode: read('/s:Envelope/s:Body/s:Fault/faultcode'),
      foutcode: read('/s:Envelope/s:Body/s:Fault/detail/kv:aanleverFault/kv:foutcode'),
      relatesTo: read('/s:Envelope/s:Header/wsa:RelatesTo'),
      action: read('/s:Envelope/s:Header/wsa:Action'),
    };
  } finally {
    doc.dispose();
  }
}

describe('WusEndpoint', () => {
  test('a valid aanleveren gets a signed aanleverResponse relating to its MessageID, with SignatureConfirmation', async () => {
    const { wus, security } = endpoint();
    const response = await post(wus, { body: aanleverRequestXml(), messageId: 'urn:uuid:abc' }, { soapAction: `"${ACTIONS.aanleveren}"` });
    assert.equal(response.status, 200, response.body);
    const doc = parseXml(response.body);
    try {
      assert.equal(doc.eval('string(/s:Envelope/s:Header/wsa:RelatesTo)', ns), 'urn:uuid:abc');
      assert.equal(doc.eval('string(/s:Envelope/s:Header/wsa:Action)', ns), AANLEVER_SERVICE.operations[0]!.responseAction);
      assert.equal(doc.eval('string(/s:Envelope/s:Body/kv:aanleverResponse/kv:kenmerk)', ns), 'k-1');
    } finally {
      doc.dispose();
    }
    assert.equal(security.signed.length, 1);
    assert.equal(security.signed[0]!.confirmation, 'c2lnbmF0dXJl');
  });

  const cases: [string, EnvelopeOptions, string][] = [
    ['missing To', { to: null, body: aanleverRequestXml() }, '0005'],
    ['missing Action', { action: null, body: aanleverRequestXml() }, '0006'],
    ['missing MessageID', { messageId: null, body: aanleverRequestXml() }, '0007'],
    ['wrong To', { to: 'https://poort.example/wus/2.0/statusinformatieservice/1.2', body: aanleverRequestXml() }, '0011'],
    ['wrong Action', { action: ACTIONS.getStatussenProces, body: aanleverRequestXml() }, '0011'],
    ['ReplyTo not anonymous', { replyTo: 'https://elders.example/', body: aanleverRequestXml() }, '0011'],
    ['a custom header', { extraHeader: '<x:Eigen xmlns:x="urn:eigen">1</x:Eigen>', body: aanleverRequestXml() }, '0010'],
    ['SOAP 1.2', { envelopeNs: NS.soap12, body: aanleverRequestXml() }, '0001'],
    ['a body that is not koppelvlak', { body: '<x:iets xmlns:x="urn:x"/>' }, 'ALS100'],
    ['an aanleverRequest against the XSD', { body: aanleverRequestXml('Omzetbelasting', '<kv:onbekend>1</kv:onbekend>') }, 'ALS100'],
  ];
  for (const [name, envelope, foutcode] of cases) {
    test(`${name} → Client fault ${foutcode}, HTTP 500`, async () => {
      const { wus } = endpoint();
      const response = await post(wus, envelope);
      assert.equal(response.status, 500);
      const parsed = fault(response);
      // A SOAP 1.2 envelope has no readable SOAP 1.1 detail; the code is checked through the body text.
      if (foutcode === '0001') assert.match(response.body, /<foutcode>0001<\/foutcode>/);
      else assert.deepEqual([parsed.faultcode, parsed.foutcode], ['soapenv:Client', foutcode], response.body);
    });
  }

  test('the allowed ReplyTo is the anonymous address; To may carry ?OIN=', async () => {
    const { wus } = endpoint();
    const response = await post(wus, {
      to: 'https://elders.example:8443/wus/2.0/aanleverservice/1.2?OIN=00000099000000000000',
      replyTo: 'http://www.w3.org/2005/08/addressing/anonymous',
      body: aanleverRequestXml(),
    });
    assert.equal(response.status, 200, response.body);
  });

  test('SOAPAction other than empty or wsa:Action → 0003', async () => {
    const { wus } = endpoint();
    const response = await post(wus, { body: aanleverRequestXml() }, { soapAction: 'urn:iets-anders' });
    assert.equal(fault(response).foutcode, '0003');
  });

  test('content type and encoding: SOAP 1.2 media type, other charsets and encodings are refused', async () => {
    const { wus } = endpoint();
    assert.match((await post(wus, { body: aanleverRequestXml() }, { contentType: 'application/soap+xml' })).body, /<foutcode>0001</);
    assert.match((await post(wus, { body: aanleverRequestXml() }, { contentType: 'text/xml; charset=iso-8859-1' })).body, /<foutcode>0009</);
    const latin1 = requestEnvelope({ body: aanleverRequestXml() }).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    assert.match((await post(wus, latin1)).body, /<foutcode>0009</);
  });

  test('malformed XML and a DOCTYPE are a Client fault 0001, never a 500 without a fault', async () => {
    const { wus, errors } = endpoint();
    for (const body of ['<s:Envelope', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>']) {
      const response = await post(wus, body);
      assert.equal(response.status, 500);
      assert.equal(fault(response).foutcode, '0001');
    }
    assert.deepEqual(errors, []);
  });

  test('a replayed MessageID is refused', async () => {
    const { wus } = endpoint();
    const envelope = { body: aanleverRequestXml(), messageId: 'urn:uuid:replay' };
    assert.equal((await post(wus, envelope)).status, 200);
    const replay = fault(await post(wus, envelope));
    assert.equal(replay.foutcode, '0011');
    assert.equal(replay.relatesTo, 'urn:uuid:replay');
  });

  test('a message signed by another organisation than the TLS caller → 0002', async () => {
    const { wus } = endpoint(new FakeSecurity(senderB));
    assert.equal(fault(await post(wus, { body: aanleverRequestXml() })).foutcode, '0002');
  });

  test('a WS-Security failure → 0002, unsigned', async () => {
    const security = new FakeSecurity(senderA);
    security.failWith = Object.assign(new Error('digest mismatch'), { code: 'WSS_DIGEST_MISMATCH' });
    const { wus } = endpoint(security);
    assert.equal(fault(await post(wus, { body: aanleverRequestXml() })).foutcode, '0002');
    assert.equal(security.signed.length, 0);
  });

  test('an unexpected error is a Server fault ALS400 that reveals nothing', async () => {
    const { wus, errors } = endpoint();
    const failing = new WusEndpoint({ ...(wus as unknown as { options: ConstructorParameters<typeof WusEndpoint>[0] }).options, handlers: { aanleveren: () => Promise.reject(new Error('geheim')) } });
    const response = await post(failing, { body: aanleverRequestXml() });
    const parsed = fault(response);
    assert.deepEqual([parsed.faultcode, parsed.foutcode], ['soapenv:Server', 'ALS400']);
    assert.doesNotMatch(response.body, /geheim/);
    assert.equal(errors.length, 1);
  });
});
