import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { generateTestPki, type TestClientName, type TestPki } from '@poort/pki';
import { Chain, ScratchDatabase, freePortBlock, requiredEnv } from '@poort/testing';

import { ROOT } from './submission-fixture.js';

// Grote Berichten over two-way TLS against a real ingress process (its own scratch database and Kafka namespace): the
// routes, the raw octet-stream body, the HTTP statuses of the refusals, and completion into a message.

let pki: TestPki;
let db: ScratchDatabase;
let chain: Chain;
let logDir: string;
const agents = new Map<TestClientName, Agent>();

before(async () => {
  pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'ingress_gb_https');
  logDir = await mkdtemp(join(tmpdir(), 'poort-gb-'));
  chain = new Chain({
    root: ROOT,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    databaseUrl: db.url,
    configDir: join(ROOT, 'config'),
    pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
    portBase: await freePortBlock(8, 20_000, 30_000),
    logDir,
    env: { KAFKA_NAMESPACE: `gb-https-${randomBytes(3).toString('hex')}.` },
    serviceEnv: { ingress: { GROTE_BERICHTEN_EXPIRY: '4s', GROTE_BERICHTEN_SWEEP_INTERVAL_MS: '300' } },
  });
  await chain.startService('ingress');
});
after(async () => {
  await chain?.stop();
  for (const agent of agents.values()) agent.destroy();
  await db?.drop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

function agentOf(client: TestClientName): Agent {
  let agent = agents.get(client);
  if (!agent) {
    const { cert, key } = pki.clients[client];
    agent = new Agent({ ca: readFileSync(pki.caChain), cert: readFileSync(cert), key: readFileSync(key), keepAlive: false });
    agents.set(client, agent);
  }
  return agent;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown> & { code?: string; message?: string };
}

async function call(method: 'GET' | 'POST' | 'PUT', path: string, options: { as?: TestClientName; json?: unknown; bytes?: Uint8Array | AsyncIterable<Uint8Array>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string | number> = { ...options.headers };
  let body: Uint8Array | AsyncIterable<Uint8Array> | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = Buffer.from(JSON.stringify(options.json));
  } else if (options.bytes !== undefined) {
    headers['content-type'] ??= 'application/octet-stream';
    body = options.bytes;
  }
  // A body in memory goes with its Content-Length; a stream goes chunked.
  if (body instanceof Uint8Array) headers['content-length'] = body.byteLength;
  const outgoing = request(`${chain.url('ingress')}${path}`, { method, agent: agentOf(options.as ?? 'sender-a'), headers });
  const answered = new Promise<Answer>((resolve, reject) => {
    outgoing.once('error', reject);
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} });
      });
    });
  });
  if (body instanceof Uint8Array) outgoing.end(body);
  else if (body) {
    for await (const piece of body) outgoing.write(piece);
    outgoing.end();
  } else outgoing.end();
  return answered;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const announce = (file: Buffer, aanleverkenmerk: string, as: TestClientName = 'sender-a') =>
  call('POST', '/api/v1/grote-berichten', {
    as,
    json: {
      berichtsoort: 'e-factuur',
      aanleverkenmerk,
      identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      bestand: { bestandsnaam: `${aanleverkenmerk}.xml`, mimeType: 'application/xml', grootte: file.byteLength, sha256: sha256(file) },
    },
  });

const putRange = (location: string, file: Buffer, start: number, end: number, as: TestClientName = 'sender-a') =>
  call('PUT', location, { as, bytes: file.subarray(start, end + 1), headers: { 'content-range': `bytes ${start}-${end}/${file.byteLength}` } });

async function metric(name: string, labels = ''): Promise<number> {
  const metrics = await fetchText('/metrics');
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function fetchText(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(`${chain.url('ingress')}${path}`, { agent: agentOf('sender-a') }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.once('error', reject);
    })
      .once('error', reject)
      .end();
  });
}

describe('grote berichten over two-way TLS', () => {
  const file = randomBytes(3 * 1024 * 1024 + 12_345);
  const half = Math.floor(file.byteLength / 2);
  let location: string;

  test('announce (201 with location), second half, GET shows the gap, first half completes (201 with the kenmerk)', async () => {
    const announced = await announce(file, 'https-1');
    assert.equal(announced.status, 201, JSON.stringify(announced.body));
    location = String(announced.body.location);
    assert.equal(announced.headers.location, location);
    assert.deepEqual(announced.body.ontvangen, []);

    const second = await putRange(location, file, half, file.byteLength - 1);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const state = await call('GET', location);
    assert.equal(state.status, 200);
    assert.deepEqual(state.body.ontbrekend, [{ start: 0, end: half - 1 }]);
    assert.deepEqual(state.body.ontvangen, [{ start: half, end: file.byteLength - 1 }]);

    const first = await putRange(location, file, 0, half - 1);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.statuscode, '100');
    const kenmerk = String(first.body.kenmerk);
    const { rows } = await db.pool.query<{ sha256: string; size: string }>(
      "SELECT envelope->'content'->>'sha256' AS sha256, envelope->'content'->>'size' AS size FROM messages WHERE kenmerk = $1",
      [kenmerk],
    );
    assert.deepEqual(rows, [{ sha256: sha256(file), size: String(file.byteLength) }]);
    assert.equal(await db.count('upload_parts'), 0);
    assert.equal((await call('GET', location)).body.kenmerk, kenmerk);
    assert.ok((await metric('poort_ingress_grote_berichten_bytes_received_total')) >= file.byteLength);
    assert.equal(await metric('poort_ingress_grote_berichten_uploads_total', 'event="completed"'), 1);
  });

  test('announcing it again answers 200 with the same upload and its kenmerk', async () => {
    const again = await announce(file, 'https-1');
    assert.equal(again.status, 200);
    assert.equal(again.body.location, location);
    assert.equal(again.body.status, 'voltooid');
  });

  test('another sender gets 404 for the upload, on GET and PUT', async () => {
    const other = await announce(file, 'https-other');
    const theirs = String(other.body.location);
    assert.equal((await call('GET', theirs, { as: 'sender-b' })).body.code, 'UPLOAD_NOT_FOUND');
    const put = await putRange(theirs, file, 0, 99, 'sender-b');
    assert.equal(put.status, 404);
    assert.equal(put.body.code, 'UPLOAD_NOT_FOUND');
  });

  test('a bad Content-Range, a body of another length, a truncated body and another media type are coded refusals', async () => {
    const small = randomBytes(50_000);
    const { body } = await announce(small, 'https-refusals');
    const at = String(body.location);
    const put = (headers: Record<string, string>, bytes: Uint8Array | AsyncIterable<Uint8Array> = small.subarray(0, 100)) => call('PUT', at, { bytes, headers });
    const cases: [string, Promise<Answer>, number, string][] = [
      ['no Content-Range', put({}), 400, 'UPLOAD_RANGE_INVALID'],
      ['malformed', put({ 'content-range': 'bytes=0-99' }), 400, 'UPLOAD_RANGE_INVALID'],
      ['wrong total', put({ 'content-range': 'bytes 0-99/60000' }), 416, 'UPLOAD_RANGE_NOT_SATISFIABLE'],
      ['outside the file', put({ 'content-range': 'bytes 49950-50049/50000' }), 416, 'UPLOAD_RANGE_NOT_SATISFIABLE'],
      ['Content-Length other than the range', put({ 'content-range': 'bytes 0-199/50000' }), 400, 'UPLOAD_BODY_LENGTH_MISMATCH'],
      ['not octet-stream', put({ 'content-range': 'bytes 0-99/50000', 'content-type': 'text/plain' }), 415, 'UPLOAD_MEDIA_TYPE'],
    ];
    for (const [what, answer, status, code] of cases) {
      const { status: actual, body: refusal } = await answer;
      assert.equal(actual, status, `${what}: ${JSON.stringify(refusal)}`);
      assert.equal(refusal.code, code, what);
      assert.equal(typeof refusal.message, 'string');
    }
    // Chunked (no Content-Length), and the body ends before its range does: 400, and what came is kept.
    async function* truncated() {
      yield small.subarray(0, 3000);
    }
    const short = await put({ 'content-range': 'bytes 0-9999/50000' }, truncated());
    assert.equal(short.status, 400);
    assert.equal(short.body.code, 'UPLOAD_BODY_INCOMPLETE');
    assert.deepEqual((await call('GET', at)).body.ontvangen, [{ start: 0, end: 2999 }]);
  });

  test('an upload left unfinished expires: the sweeper deletes its parts, a PUT then gets 410', async () => {
    const small = randomBytes(10_000);
    const { body } = await announce(small, 'https-expiry');
    const at = String(body.location);
    assert.equal((await putRange(at, small, 0, 4999)).status, 200);
    const deadline = Date.now() + 15_000;
    while ((await call('GET', at)).body.status !== 'verlopen' || (await parts(at)) > 0) {
      assert.ok(Date.now() < deadline, 'the upload did not expire within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const late = await putRange(at, small, 5000, 9999);
    assert.equal(late.status, 410);
    assert.equal(late.body.code, 'UPLOAD_EXPIRED');
    assert.ok((await metric('poort_ingress_grote_berichten_uploads_total', 'event="expired"')) >= 1);
  });
});

async function parts(location: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM upload_parts WHERE upload_id = $1', [location.split('/').at(-1)]);
  return rows[0]!.n;
}
