import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { waitFor } from '@poort/testing';

import {
  E2eChain,
  SAMPLES,
  aanlevering,
  rawExchange,
  rawTcpExchange,
  requestHead,
  type RawResponse,
  type RawStep,
} from '../src/index.js';
import { wusClient } from '../src/wus-client.js';
import { AANLEVEREN_ACTION, AANLEVER_PATH, aanleverRequest, editOnce, kenmerkOf, parseFault, signerFrom } from '../src/wus-hostile-requests.js';

// The front door tried as a hostile client would, over REST and WUS: each class of what was found gets its refusal
// with a code, in Poort's shape and small, within its time limit, with nothing stored or forwarded.

/** Short limits, so that the timeouts can be shown in seconds. */
const LIMITS = {
  HTTP_REQUEST_TIMEOUT_MS: 3_000,
  HTTP_HEADERS_TIMEOUT_MS: 1_500,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 1_000,
  HTTP_IDLE_TIMEOUT_MS: 2_500,
  HTTP_MAX_CONNECTIONS_PER_CLIENT: 240,
  INGRESS_MAX_BODY_BYTES: 30 * 1024 * 1024,
};
/** Node checks the request and header timeouts every headersTimeout/4; the machine is shared and busy. */
const GRACE_MS = 2_000;
const MAX_REFUSAL_BYTES = 4_096;
/** A fault after a verified signature is signed, and carries Poort's certificate: a few KB more. */
const MAX_SIGNED_FAULT_BYTES = 12_288;
const MiB = 1024 * 1024;

describe('the front door: time limits, identity before body, strict input, nothing accepted that cannot be delivered', () => {
  let e2e: E2eChain;
  let ingressPort: number;
  let notificationPort: number;

  before(async () => {
    e2e = await E2eChain.start('frontdoor', { env: Object.fromEntries(Object.entries(LIMITS).map(([name, value]) => [name, String(value)])) });
    ingressPort = e2e.chain.ports.ingress;
    notificationPort = e2e.chain.ports.notification;
  });
  after(async () => {
    await e2e?.stop();
  });

  interface Snapshot {
    readonly messages: number;
    readonly payloads: number;
    readonly chunks: number;
    readonly outbox: number;
    readonly posts: number;
  }
  const snapshot = async (): Promise<Snapshot> => ({
    messages: await e2e.count('messages'),
    payloads: await e2e.count('payloads'),
    chunks: await e2e.count('payload_chunks'),
    outbox: await e2e.count('outbox'),
    posts: [...e2e.recipients.values()].reduce((sum, recipient) => sum + recipient.posts, 0),
  });

  const send = (port: number, steps: readonly RawStep[], options: { as?: Parameters<typeof rawExchange>[0]['as']; timeoutMs?: number } = {}) =>
    rawExchange({ port, pki: e2e.pki, as: options.as ?? 'sender-a', steps, timeoutMs: options.timeoutMs ?? 10_000 });

  const jsonPost = (path: string, body: Buffer | string, headers: readonly (readonly [string, string])[] = []): RawStep[] => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    return [
      requestHead('POST', path, [['host', `127.0.0.1:${ingressPort}`], ['content-type', 'application/json'], ['content-length', String(bytes.length)], ...headers]),
      bytes,
    ];
  };

  /** A refusal in Poort's shape: the status, a code, a message, small. */
  const refusedWith = (response: RawResponse, status: number, code: string, message?: RegExp) => {
    assert.equal(response.status, status, `${response.end} after ${response.elapsedMs} ms: ${response.body.slice(0, 500)}`);
    assert.ok(Buffer.byteLength(response.body) < MAX_REFUSAL_BYTES, `the refusal body is ${Buffer.byteLength(response.body)} bytes`);
    const body = JSON.parse(response.body) as { code?: string; message?: string };
    assert.equal(body.code, code, response.body);
    assert.equal(typeof body.message, 'string');
    if (message) assert.match(body.message ?? '', message);
  };

  /** A refusal on a WUS path: a SOAP 1.1 fault with its foutcode, small. */
  const faultWith = (response: RawResponse, foutcode: string, reason?: RegExp) => {
    assert.equal(response.status, 500, `${response.end} after ${response.elapsedMs} ms: ${response.body.slice(0, 500)}`);
    const fault = parseFault(response.body);
    assert.ok(fault, response.body.slice(0, 500));
    assert.ok(Buffer.byteLength(response.body) < (fault.signed ? MAX_SIGNED_FAULT_BYTES : MAX_REFUSAL_BYTES), `the fault is ${Buffer.byteLength(response.body)} bytes`);
    assert.equal(fault.faultcodeLocal, 'Client', response.body.slice(0, 500));
    assert.equal(fault.foutcode, foutcode, fault.foutbeschrijving);
    if (reason) assert.match(fault.foutbeschrijving ?? '', reason);
  };

  /** The refused request left nothing behind. */
  const nothingStoredOrForwarded = async (before: Snapshot) => {
    assert.deepEqual(await snapshot(), before);
  };

  /** Ingress's /metrics, on a connection of its own (a pooled one may just have been closed by the 1 s keep-alive limit). */
  const ingressMetrics = async (): Promise<string> => {
    const response = await send(ingressPort, [requestHead('GET', '/metrics', [['host', 'poort']])]);
    assert.equal(response.status, 200, response.body.slice(0, 300));
    return response.body;
  };

  /** Waits until an accepted message is delivered and every outbox drained, so that later snapshots are stable. */
  const settled = async (kenmerk: string) => {
    await e2e.waitForStatus(kenmerk, '400');
    await waitFor('the outbox to drain', async () => ((await e2e.count('outbox')) === 0 ? true : undefined), 30_000, 100);
  };

  const wusAanleverXml = (edit?: (xml: string) => string) =>
    aanleverRequest({
      to: `https://127.0.0.1:${ingressPort}${AANLEVER_PATH}`,
      signer: signerFrom(e2e.pki, 'sender-a'),
      content: SAMPLES.vatInstance,
      ...(edit ? { beforeSigning: edit } : {}),
    }).xml;
  const wusPost = (path: string, port: number, body: Buffer | string, headers: readonly (readonly [string, string])[] = []): RawStep[] => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    return [
      requestHead('POST', path, [
        ['host', `127.0.0.1:${port}`],
        ['content-type', 'text/xml; charset=utf-8'],
        ['soapaction', `"${AANLEVEREN_ACTION}"`],
        ['content-length', String(bytes.length)],
        ...headers,
      ]),
      bytes,
    ];
  };

  describe('1. every request has time limits', () => {
    const slow = (bytes: number, everyMs: number, count: number): RawStep[] =>
      Array.from({ length: count }, () => [Buffer.alloc(bytes, 0x20), { pauseMs: everyMs }]).flat();

    test('a body sent slowly ends with 408 HTTP_REQUEST_TIMEOUT within the request limit, and nothing is stored', async () => {
      const before = await snapshot();
      const head = requestHead('POST', '/api/v1/aanleveren', [['host', 'poort'], ['content-type', 'application/json'], ['content-length', '2000']]);
      const response = await send(ingressPort, [head, ...slow(10, 400, 100)], { timeoutMs: 20_000 });
      refusedWith(response, 408, 'HTTP_REQUEST_TIMEOUT');
      assert.ok(response.elapsedMs < LIMITS.HTTP_REQUEST_TIMEOUT_MS + GRACE_MS, `ended after ${response.elapsedMs} ms`);
      await nothingStoredOrForwarded(before);
    });

    test('a body shorter than its Content-Length ends with 408 within the request limit', async () => {
      const head = requestHead('POST', '/api/v1/aanleveren', [['host', 'poort'], ['content-type', 'application/json'], ['content-length', '2000']]);
      const response = await send(ingressPort, [head, '{"berichtsoort":"e-factuur"', { pauseMs: 20_000 }], { timeoutMs: 20_000 });
      refusedWith(response, 408, 'HTTP_REQUEST_TIMEOUT');
      assert.ok(response.elapsedMs < LIMITS.HTTP_REQUEST_TIMEOUT_MS + GRACE_MS, `ended after ${response.elapsedMs} ms`);
    });

    test('a chunked body that never ends ends with 408 within the request limit', async () => {
      const head = requestHead('POST', '/api/v1/aanleveren', [['host', 'poort'], ['content-type', 'application/json'], ['transfer-encoding', 'chunked']]);
      const response = await send(ingressPort, [head, '10\r\n{"berichtsoort":\r\n', { pauseMs: 20_000 }], { timeoutMs: 20_000 });
      refusedWith(response, 408, 'HTTP_REQUEST_TIMEOUT');
      assert.ok(response.elapsedMs < LIMITS.HTTP_REQUEST_TIMEOUT_MS + GRACE_MS, `ended after ${response.elapsedMs} ms`);
    });

    test('headers sent slowly end with 408 within the header limit', async () => {
      const response = await send(ingressPort, ['POST /api/v1/aanleveren HTTP/1.1\r\nhost: poort\r\n', { pauseMs: 20_000 }], { timeoutMs: 20_000 });
      refusedWith(response, 408, 'HTTP_REQUEST_TIMEOUT');
      assert.ok(response.elapsedMs < LIMITS.HTTP_HEADERS_TIMEOUT_MS + GRACE_MS, `ended after ${response.elapsedMs} ms`);
    });

    test('WUS: a SOAP body sent slowly ends with a SOAP fault within the request limit, and the connection is closed', async () => {
      const xml = wusAanleverXml();
      const [head] = wusPost(AANLEVER_PATH, ingressPort, xml);
      const response = await send(ingressPort, [head!, xml.slice(0, 200), { pauseMs: 20_000 }], { timeoutMs: 20_000 });
      faultWith(response, 'ALS100', /did not arrive in time/);
      assert.ok(response.elapsedMs < LIMITS.HTTP_REQUEST_TIMEOUT_MS + GRACE_MS, `ended after ${response.elapsedMs} ms`);
      assert.equal(response.headers.connection, 'close');
    });

    test('200 idle connections are closed by the server within its limit, while a valid submission is still served', async () => {
      const started = Date.now();
      const idle = await Promise.all(Array.from({ length: 200 }, () => openIdleConnection(e2e, ingressPort)));
      assert.ok(idle.every((connection) => connection.connected), 'all 200 connections were accepted (the cap per client is 240)');
      const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice));
      assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
      const closedAt = await Promise.all(idle.map((connection) => connection.closed));
      const longest = Math.max(...closedAt) - started;
      assert.ok(longest < LIMITS.HTTP_HEADERS_TIMEOUT_MS + GRACE_MS + 2_000, `the last idle connection was closed after ${longest} ms`);
      await settled(String(receipt.body.kenmerk));
    });

    test('a connection that never starts TLS is closed within the idle limit', async () => {
      const response = await rawTcpExchange(ingressPort, [{ pauseMs: 20_000 }], 20_000);
      assert.equal(response.end, 'closed-by-server');
      assert.ok(response.elapsedMs < LIMITS.HTTP_IDLE_TIMEOUT_MS + GRACE_MS, `closed after ${response.elapsedMs} ms`);
    });

    test('connections beyond the cap per client are closed at once; the ones within it are served', async () => {
      const connections = await Promise.all(Array.from({ length: LIMITS.HTTP_MAX_CONNECTIONS_PER_CLIENT + 10 }, () => openIdleConnection(e2e, ingressPort)));
      const refused = connections.filter((connection) => !connection.connected);
      assert.ok(refused.length >= 10, `${refused.length} of ${connections.length} connections were refused`);
      for (const connection of connections) connection.close();
      await Promise.all(connections.map((connection) => connection.closed));
      // The server counts a connection as gone when it sees it close, a moment after the client closed it.
      const metrics = await waitFor('a connection within the cap again', () => ingressMetrics(), 10_000, 200);
      assert.match(metrics, /poort_requests_refused_total\{code="HTTP_TOO_MANY_CONNECTIONS",service="ingress"\} \d+/);
    });
  });

  describe('2. the client is known before its body is read, and each route has its own body limit', () => {
    /** An upload at 10 MiB/s: the answer must come long before it is done, and nothing sent is stored. */
    const paced = (declared: number): RawStep[] =>
      Array.from({ length: Math.ceil(declared / MiB) }, () => [Buffer.alloc(MiB, 0x20), { pauseMs: 100 }]).flat();
    const big = (declared: number, path = '/api/v1/aanleveren', type = 'application/json'): RawStep[] => [
      requestHead('POST', path, [['host', 'poort'], ['content-type', type], ['content-length', String(declared)]]),
      ...paced(declared),
    ];

    test('50 MB without a client certificate: 401 CERT_MISSING at once, without the upload being read', async () => {
      const before = await snapshot();
      const response = await send(ingressPort, big(50 * MiB), { as: 'anonymous', timeoutMs: 20_000 });
      refusedWith(response, 401, 'CERT_MISSING');
      assert.ok(response.bytesWritten <= 4 * MiB, `${response.bytesWritten} bytes were sent before the answer`);
      assert.ok(response.elapsedMs < 1_500, `answered after ${response.elapsedMs} ms`);
      await nothingStoredOrForwarded(before);
    });

    test('50 MB with a revoked certificate: 401 CERT_REVOKED at once', async () => {
      const response = await send(ingressPort, big(50 * MiB), { as: 'revoked', timeoutMs: 20_000 });
      refusedWith(response, 401, 'CERT_REVOKED');
      assert.ok(response.bytesWritten <= 4 * MiB, `${response.bytesWritten} bytes were sent before the answer`);
    });

    test('WUS: 50 MB without a client certificate is a fault 0002 at once', async () => {
      const response = await send(ingressPort, big(50 * MiB, AANLEVER_PATH, 'text/xml; charset=utf-8'), { as: 'anonymous', timeoutMs: 20_000 });
      faultWith(response, '0002', /CERT_MISSING/);
      assert.ok(response.bytesWritten <= 4 * MiB, `${response.bytesWritten} bytes were sent before the answer`);
    });

    test('a submission over its route limit is refused with 413 by its Content-Length, before it is read', async () => {
      const before = await snapshot();
      const response = await send(ingressPort, big(LIMITS.INGRESS_MAX_BODY_BYTES + 1), { timeoutMs: 20_000 });
      refusedWith(response, 413, 'HTTP_413');
      assert.ok(response.bytesWritten <= 4 * MiB, `${response.bytesWritten} bytes were sent before the answer`);
      await nothingStoredOrForwarded(before);
    });

    test('a status request over the 1 MiB of its route is refused, whereas a submission of that size is not', async () => {
      const body = Buffer.alloc(2 * MiB, 0x20);
      const response = await send(notificationPort, wusPost('/wus/2.0/statusinformatieservice/1.2', notificationPort, body), { timeoutMs: 20_000 });
      faultWith(response, 'STS100', /geweigerd/);
      const json = await send(notificationPort, [
        requestHead('GET', '/api/v1/processen/abc/statussen', [['host', 'poort'], ['content-type', 'application/json'], ['content-length', String(100 * 1024)]]),
        Buffer.alloc(100 * 1024, 0x20),
      ]);
      assert.ok(json.status === 413 || json.status === 404, `a GET with a 100 KiB body: ${json.status} ${json.body}`);
      assert.ok(JSON.parse(json.body).code);
    });
  });

  describe('3. what is accepted can be delivered', () => {
    const decodeExtValue = (value: string | undefined) => {
      assert.ok(value?.startsWith("UTF-8''"), `not an RFC 8187 ext-value: ${value}`);
      return decodeURIComponent(value!.slice("UTF-8''".length));
    };

    test('a file name and an aanleverkenmerk beyond Latin-1 reach the recipient intact (RFC 8187), and the message reaches 400', async () => {
      const bestandsnaam = 'faktura-łódź-€-Ω.xml';
      const aanleverkenmerk = 'ref-żółw-✓';
      const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice, { aanleverkenmerk, berichtInhoud: { mimeType: 'application/xml', bestandsnaam, inhoud: SAMPLES.invoice.toString('base64') } }));
      assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
      const kenmerk = String(receipt.body.kenmerk);
      await settled(kenmerk);
      const delivered = e2e.recipient('belastingdienst').forKenmerk(kenmerk);
      assert.ok(delivered);
      const disposition = String(delivered.headers['content-disposition']);
      assert.equal(decodeExtValue(/filename\*=([^;]+)/.exec(disposition)?.[1]), bestandsnaam);
      assert.match(disposition, /filename="faktura-__d_-_-_\.xml"/);
      assert.equal(decodeExtValue(String(delivered.headers['x-poort-aanleverkenmerk'])), aanleverkenmerk);
      assert.deepEqual(delivered.body, SAMPLES.invoice);
      const summary = e2e.recipient('ministerie-bzk').forKenmerk(kenmerk);
      assert.equal(decodeExtValue(/filename\*=([^;]+)/.exec(String(summary?.headers['content-disposition']))?.[1]), 'faktura-łódź-€-Ω.json');
    });

    for (const [name, value] of [['a TAB', 'factuur\t1.xml'], ['a BEL', 'factuur\u0007.xml'], ['a C1 control (NEL)', 'factuur\u0085.xml'], ['CR LF', 'factuur\r\nx-evil: 1.xml']] as const) {
      test(`a file name with ${name} is refused at the door with ALS100, nothing stored`, async () => {
        const before = await snapshot();
        const response = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { berichtInhoud: { mimeType: 'application/xml', bestandsnaam: value, inhoud: 'PGEvPg==' } }))));
        refusedWith(response, 400, 'ALS100', /berichtInhoud\.bestandsnaam: bevat een stuurteken/);
        await nothingStoredOrForwarded(before);
      });
    }

    // (A TAB is whitespace to the koppelvlak XSD, which collapses it; a C1 control character is not.)
    test('WUS: a file name with a control character is a fault ALS100, nothing stored', async () => {
      const before = await snapshot();
      const xml = wusAanleverXml((unsigned) => editOnce(unsigned, '<aan:bestandsnaam>omzetbelasting.xbrl<', '<aan:bestandsnaam>omzet&#x85;belasting.xbrl<'));
      const response = await send(ingressPort, wusPost(AANLEVER_PATH, ingressPort, xml));
      faultWith(response, 'ALS100', /bestandsnaam: bevat een stuurteken/);
      await nothingStoredOrForwarded(before);
    });
  });

  describe('4. what Postgres cannot store or compare is refused with 400 and a code, never a 500', () => {
    for (const [name, value] of [['a NUL character', 'ref\u0000x'], ['a lone UTF-16 surrogate', 'ref\ud800x']] as const) {
      test(`an aanleverkenmerk with ${name}: 400 ALS100, nothing stored`, async () => {
        const before = await snapshot();
        const response = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { aanleverkenmerk: value }))));
        refusedWith(response, 400, 'ALS100', /aanleverkenmerk/);
        await nothingStoredOrForwarded(before);
      });
    }

    for (const value of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '99999-01-01T00:00:00Z', 'morgen', '2026-02-30T00:00:00Z']) {
      test(`a status window from ${value}: 400 STS100`, async () => {
        const response = await send(notificationPort, [requestHead('GET', `/api/v1/processen/abc/statussen?tijdstempelVanaf=${encodeURIComponent(value)}`, [['host', 'poort']])]);
        refusedWith(response, 400, 'STS100', /tijdstempelVanaf/);
      });
    }

    test('a kenmerk with %00 or of 100 characters in a path: 400 with the code of the API', async () => {
      refusedWith(await send(notificationPort, [requestHead('GET', '/api/v1/processen/%00/statussen', [['host', 'poort']])]), 400, 'STS100', /kenmerk/);
      refusedWith(await send(notificationPort, [requestHead('GET', '/api/v1/processen/%00/statussen/nieuw', [['host', 'poort']])]), 400, 'STS100', /kenmerk/);
      refusedWith(await send(notificationPort, [requestHead('GET', `/api/v1/processen/${'k'.repeat(100)}/statussen`, [['host', 'poort']])]), 400, 'STS100', /kenmerk/);
      const archive = await e2e.archive('%00', 'sender-a');
      const body = archive.json<{ code: string }>();
      assert.deepEqual([archive.status, body.code], [400, 'ARCHIVE_KENMERK_INVALID']);
    });

    test('WUS: a status window in the year 10000 is a fault STS100', async () => {
      const status = await wusClient(e2e.pki, `${e2e.chain.url('notification')}/wus/2.0/statusinformatieservice/1.2`);
      await assert.rejects(status.call('getStatussenProces', { kenmerk: 'abc', tijdstempelVanaf: '10000-01-01T00:00:00Z' }), (error: Error) => {
        const text = JSON.stringify((error as { root?: unknown }).root ?? error.message);
        assert.match(text, /STS100/, text);
        return true;
      });
    });
  });

  describe('5. invalid UTF-8 is refused, never repaired', () => {
    const withBytes = (bytes: number[]) => {
      const json = JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { aanleverkenmerk: 'ref-XX' }));
      const at = json.indexOf('ref-XX') + 4;
      return Buffer.concat([Buffer.from(json.slice(0, at), 'utf8'), Buffer.from(bytes), Buffer.from(json.slice(at + 2), 'utf8')]);
    };
    const cases: [string, number[]][] = [
      ['a 0xFF byte', [0xff]],
      ['an overlong form of "/"', [0xc0, 0xaf]],
      ['CESU-8 (a surrogate pair encoded as two 3-byte sequences)', [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
    ];
    for (const [name, bytes] of cases) {
      test(`a body with ${name}: 400 HTTP_BODY_NOT_UTF8, nothing stored`, async () => {
        const before = await snapshot();
        refusedWith(await send(ingressPort, jsonPost('/api/v1/aanleveren', withBytes(bytes))), 400, 'HTTP_BODY_NOT_UTF8');
        await nothingStoredOrForwarded(before);
      });
    }

    test('a Latin-1 body with its charset declared: 415 HTTP_CHARSET_UNSUPPORTED, nothing stored', async () => {
      const before = await snapshot();
      const latin1 = Buffer.from(JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { aanleverkenmerk: 'café' })), 'latin1');
      const steps = [
        requestHead('POST', '/api/v1/aanleveren', [['host', 'poort'], ['content-type', 'application/json; charset=iso-8859-1'], ['content-length', String(latin1.length)]]),
        latin1,
      ];
      refusedWith(await send(ingressPort, steps), 415, 'HTTP_CHARSET_UNSUPPORTED');
      await nothingStoredOrForwarded(before);
    });

    test('WUS: a SOAP body with an invalid UTF-8 byte is a fault, nothing stored', async () => {
      const before = await snapshot();
      const xml = wusAanleverXml();
      const at = xml.indexOf('<aan:rolBelanghebbende>Bedrijf') + '<aan:rolBelanghebbende>Bed'.length;
      const body = Buffer.concat([Buffer.from(xml.slice(0, at), 'utf8'), Buffer.from([0xff]), Buffer.from(xml.slice(at), 'utf8')]);
      const response = await send(ingressPort, wusPost(AANLEVER_PATH, ingressPort, body));
      assert.equal(response.status, 500);
      const fault = parseFault(response.body);
      assert.ok(fault && ['0001', '0009'].includes(fault.foutcode ?? ''), response.body.slice(0, 500));
      await nothingStoredOrForwarded(before);
    });
  });

  describe("6. every refusal has Poort's shape with a code, and is small", () => {
    test('a request line that is not HTTP: 400 HTTP_MALFORMED', async () => {
      refusedWith(await send(ingressPort, ['THIS IS NOT HTTP\r\n\r\n']), 400, 'HTTP_MALFORMED');
    });

    test('headers over the limit: 431 HTTP_HEADERS_TOO_LARGE', async () => {
      refusedWith(await send(ingressPort, [requestHead('GET', '/health/live', [['host', 'poort'], ['x-padding', 'x'.repeat(40_000)]])]), 431, 'HTTP_HEADERS_TOO_LARGE');
    });

    test('an HTTP/1.1 request without Host: 400 with a code', async () => {
      const response = await send(ingressPort, [requestHead('GET', '/health/live', [])]);
      assert.equal(response.status, 400, response.body);
      assert.ok(JSON.parse(response.body).code, response.body);
    });

    test('100,000 unknown keys: 400 ALS100 with a body of a few hundred bytes, nothing stored', async () => {
      const before = await snapshot();
      const request: Record<string, unknown> = aanlevering('e-factuur', SAMPLES.invoice);
      for (let index = 0; index < 100_000; index++) request[`onbekend${index}`] = 1;
      const response = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(request)));
      refusedWith(response, 400, 'ALS100', /koppelvlakspecificatie/);
      assert.ok(response.body.length < 2_048, `${response.body.length} bytes`);
      await nothingStoredOrForwarded(before);
    });

    test('a path that does not exist: 404 HTTP_404', async () => {
      refusedWith(await send(ingressPort, [requestHead('GET', '/api/v1/bestaat-niet', [['host', 'poort']])]), 404, 'HTTP_404');
    });
  });

  describe('7. ambiguous framing is refused, not guessed at', () => {
    test('two Host headers: 400 HTTP_AMBIGUOUS_REQUEST, the connection closed', async () => {
      const response = await send(ingressPort, [requestHead('GET', '/health/live', [['host', 'a'], ['host', 'b']])]);
      refusedWith(response, 400, 'HTTP_AMBIGUOUS_REQUEST', /host/);
      assert.equal(response.headers.connection, 'close');
    });

    test('two Content-Type headers on a submission: 400 HTTP_AMBIGUOUS_REQUEST, nothing stored', async () => {
      const before = await snapshot();
      const response = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice)), [['content-type', 'text/plain']]));
      refusedWith(response, 400, 'HTTP_AMBIGUOUS_REQUEST', /content-type/);
      await nothingStoredOrForwarded(before);
    });

    test('HTTP/1.0 with a chunked body: 400 HTTP_AMBIGUOUS_REQUEST, the connection closed', async () => {
      const head = requestHead('POST', '/api/v1/aanleveren', [['host', 'poort'], ['content-type', 'application/json'], ['transfer-encoding', 'chunked']], 'HTTP/1.0');
      const response = await send(ingressPort, [head, '2\r\n{}\r\n0\r\n\r\n'], { timeoutMs: 10_000 });
      refusedWith(response, 400, 'HTTP_AMBIGUOUS_REQUEST', /HTTP\/1\.0/);
      assert.notEqual(response.end, 'timed-out');
    });

    test('WUS: two SOAPAction headers are a fault, nothing stored', async () => {
      const before = await snapshot();
      const response = await send(ingressPort, wusPost(AANLEVER_PATH, ingressPort, wusAanleverXml(), [['soapaction', '"x"']]));
      faultWith(response, 'ALS100', /soapaction/);
      await nothingStoredOrForwarded(before);
    });
  });

  describe('8. envelope fields are checked against their declared type, and kept as the koppelvlak says', () => {
    test('an identity typed OIN whose number is not an OIN: 400 ALS100 naming the field, nothing stored', async () => {
      const before = await snapshot();
      for (const field of ['identiteitBelanghebbende', 'identiteitOntvanger']) {
        const response = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { [field]: { nummer: '12345', type: 'OIN' } }))));
        refusedWith(response, 400, 'ALS100', new RegExp(`${field}\\.nummer: past niet bij type OIN`));
      }
      await nothingStoredOrForwarded(before);
    });

    test('WUS: an identity typed OIN whose number is not an OIN is a fault ALS100', async () => {
      const xml = wusAanleverXml((unsigned) =>
        editOnce(unsigned, '<aan:nummer>001000044B37</aan:nummer><aan:type>Fi</aan:type>', '<aan:nummer>0000009900000000000X</aan:nummer><aan:type>OIN</aan:type>'),
      );
      faultWith(await send(ingressPort, wusPost(AANLEVER_PATH, ingressPort, xml)), 'ALS100', /past niet bij type OIN/);
    });

    test('an autorisatieAdres is answered in the receipt and archived; one that is not a URL is refused', async () => {
      const receipt = await e2e.submit(aanlevering('e-factuur', SAMPLES.invoice, { autorisatieAdres: 'http://geenausp.nl' }));
      assert.equal(receipt.status, 200, JSON.stringify(receipt.body));
      assert.equal(receipt.body.autorisatieAdres, 'http://geenausp.nl');
      const kenmerk = String(receipt.body.kenmerk);
      await settled(kenmerk);
      const archived = (await e2e.archive(kenmerk, 'sender-a')).json<{ envelope: { autorisatieAdres?: string } }>();
      assert.equal(archived.envelope.autorisatieAdres, 'http://geenausp.nl');
      const refused = await send(ingressPort, jsonPost('/api/v1/aanleveren', JSON.stringify(aanlevering('e-factuur', SAMPLES.invoice, { autorisatieAdres: 'geen adres' }))));
      refusedWith(refused, 400, 'ALS100', /autorisatieAdres/);
    });

    test('WUS: the autorisatieAdres comes back in the aanleverResponse', async () => {
      const xml = wusAanleverXml((unsigned) => editOnce(unsigned, '</aan:berichtInhoud>', '</aan:berichtInhoud><aan:autorisatieAdres>http://geenausp.nl</aan:autorisatieAdres>'));
      const response = await send(ingressPort, wusPost(AANLEVER_PATH, ingressPort, xml));
      assert.equal(response.status, 200, response.body.slice(0, 500));
      assert.match(response.body, /<[\w:]*autorisatieAdres>http:\/\/geenausp\.nl</);
      await settled(kenmerkOf(response.body)!);
    });
  });

  test('afterwards: no input produced a 500 or an unhandled error, every service is ready, and refusals are counted by code', async () => {
    for (const service of ['ingress', 'notification', 'archive'] as const) {
      const unhandled = readFileSync(e2e.chain.logFile(service), 'utf8').split('\n').filter((line) => line.includes('"unhandled error'));
      assert.deepEqual(unhandled, [], `${service} logged an unhandled error`);
      assert.equal(await e2e.chain.isReady(service), true, service);
    }
    const metrics = await ingressMetrics();
    for (const code of ['HTTP_REQUEST_TIMEOUT', 'CERT_MISSING', 'ALS100', 'HTTP_BODY_NOT_UTF8', 'HTTP_AMBIGUOUS_REQUEST', 'HTTP_MALFORMED']) {
      assert.match(metrics, new RegExp(`poort_requests_refused_total\\{code="${code}",service="ingress"\\} [1-9]`), code);
    }
  });
});

interface IdleConnection {
  readonly connected: boolean;
  /** When the server closed it (ms since the epoch). */
  readonly closed: Promise<number>;
  close(): void;
}

/** A TLS connection that sends nothing after its handshake; `connected` is false when the server refused it. */
function openIdleConnection(e2e: E2eChain, port: number): Promise<IdleConnection> {
  return new Promise((resolve) => {
    const socket: TLSSocket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(e2e.pki.caChain),
      cert: readFileSync(e2e.pki.clients['sender-a'].cert),
      key: readFileSync(e2e.pki.clients['sender-a'].key),
      servername: 'localhost',
    });
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
    socket.on('error', () => undefined);
    socket.resume(); // a paused socket would not notice that the server closed it
    socket.once('secureConnect', () => resolve({ connected: true, closed, close: () => socket.destroy() }));
    socket.once('close', () => resolve({ connected: false, closed, close: () => undefined }));
  });
}
