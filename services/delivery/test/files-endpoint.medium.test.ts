import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { PayloadRef } from '@poort/contracts';
import { withTransaction } from '@poort/message-state';
import { generateTestPki, type TestPki } from '@poort/pki';
import { CHUNK_BYTES, PayloadStore } from '@poort/payload-store';
import { Chain, ScratchDatabase, anEnvelope, freePortBlock, requiredEnv, scratchConfig, waitFor } from '@poort/testing';

import { DeliveriesRepository } from '../src/delivery/deliveries.repository.js';

/*
 * The recipients' file endpoint of the real delivery service (its own process, over real HTTPS with the test PKI's
 * client certificates, on a real Postgres): a recipient with a delivery of a large message fetches the file in
 * ranges; anyone else finds nothing.
 */

const OIN_A = '00000099000000000101';
const INLINE_MAX_BYTES = 2 * CHUNK_BYTES;

let pki: TestPki;
let db: ScratchDatabase;
let configDir: string;
let chain: Chain;
let base: string;
let content: Buffer;
let payload: PayloadRef;
let kenmerk: string;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request as a recipient's client makes it, with the certificate of `client`. */
function fetchAs(client: 'recipient-a' | 'recipient-b', path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const credential = pki.clients[client];
  return new Promise((resolve, reject) => {
    const outgoing = request(`${base}${path}`, { method, headers, cert: readFileSync(credential.cert), key: readFileSync(credential.key), ca: readFileSync(pki.caChain), agent: false }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(parts) }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The counter of bytes served to a recipient, as the service's /metrics shows it. */
async function bytesServed(recipientId: string): Promise<number> {
  const { body } = await fetchAs('recipient-a', '/metrics');
  const line = body.toString('utf8').split('\n').find((each) => each.startsWith('poort_delivery_file_bytes_served_total{') && each.includes(`recipient="${recipientId}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

before(async () => {
  const root = requiredEnv('POORT_ROOT');
  pki = await generateTestPki(join(root, '.local/test-pki'), { ifMissing: true });
  db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'files_endpoint');
  configDir = scratchConfig(root, new Map(), {}, {
    recipients: [{ id: 'postbus-a', name: 'pull recipient a', oin: OIN_A, channel: 'pull' }],
  });
  // Five chunks and a bit: the ranges below cross chunk borders.
  content = randomBytes(5 * CHUNK_BYTES + 12_345);
  payload = await withTransaction(db.pool, (tx) => new PayloadStore(db.pool).put(tx, content, { mimeType: 'application/xbrl+xml', bestandsnaam: 'aangifte.xbrl' }));
  kenmerk = `k-${randomUUID()}`.slice(0, 40);
  const envelope = anEnvelope({ kenmerk, berichtsoort: 'Omzetbelasting', content: payload });
  await withTransaction(db.pool, (tx) =>
    new DeliveriesRepository(db.pool).insert(tx, [{ kenmerk, recipientId: 'postbus-a', recipientCount: 1, envelope, payload, deadline: new Date(Date.now() + 3_600_000) }]),
  );
  chain = new Chain({
    root,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    databaseUrl: db.url,
    configDir,
    pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
    portBase: await freePortBlock(8, 31_000, 40_000),
    logDir: join(tmpdir(), `poort-files-endpoint-${process.pid}`),
    logLevel: 'warn',
    serviceEnv: { delivery: { DELIVERY_INLINE_MAX_BYTES: String(INLINE_MAX_BYTES) } },
  });
  await chain.startService('delivery');
  base = chain.url('delivery');
});

after(async () => {
  await chain?.stopService('delivery');
  await db?.drop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('GET /api/v1/bestanden/{kenmerk}', () => {
  it('HEAD: the file\'s size, type, ETag and that it takes byte ranges, without a body', async () => {
    const answer = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, {}, 'HEAD');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['accept-ranges'], 'bytes');
    assert.equal(answer.headers['etag'], `"${payload.sha256}"`);
    assert.equal(answer.headers['content-length'], String(content.length));
    assert.equal(answer.headers['content-type'], 'application/xbrl+xml');
    assert.equal(answer.body.length, 0);
  });

  it('the recipient fetches the file in three ranges across chunk borders; together they are the file (SHA-256)', async () => {
    const before = await bytesServed('postbus-a');
    const cuts = [0, CHUNK_BYTES + 100, 3 * CHUNK_BYTES - 7];
    const parts: Buffer[] = [];
    for (const [index, start] of cuts.entries()) {
      const next = cuts[index + 1];
      const range = next === undefined ? `bytes=${start}-` : `bytes=${start}-${next - 1}`;
      const answer = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range });
      const end = (next ?? content.length) - 1;
      assert.equal(answer.status, 206, range);
      assert.equal(answer.headers['content-range'], `bytes ${start}-${end}/${content.length}`);
      assert.equal(answer.headers['content-length'], String(end - start + 1));
      assert.equal(answer.headers['etag'], `"${payload.sha256}"`);
      parts.push(answer.body);
    }
    const whole = Buffer.concat(parts);
    assert.equal(whole.length, content.length);
    assert.equal(createHash('sha256').update(whole).digest('hex'), payload.sha256);
    await waitFor('the bytes served to be counted', async () => ((await bytesServed('postbus-a')) - before === content.length ? true : undefined), 5_000, 50);
  });

  it('the last n bytes (bytes=-n), and the whole file without a Range', async () => {
    const tail = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: 'bytes=-1000' });
    assert.equal(tail.status, 206);
    assert.ok(tail.body.equals(content.subarray(content.length - 1000)));
    const whole = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`);
    assert.equal(whole.status, 200);
    assert.ok(whole.body.equals(content));
  });

  it('a range past the end is 416 with the size; several ranges, or an If-Range of another ETag, are the whole file', async () => {
    const past = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: `bytes=${content.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${content.length}`);
    assert.equal((JSON.parse(past.body.toString('utf8')) as { code: string }).code, 'RANGE_NOT_SATISFIABLE');
    const several = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: 'bytes=0-9,20-29' });
    assert.equal(several.status, 200);
    assert.equal(several.body.length, content.length);
    const stale = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: 'bytes=0-9', 'if-range': '"0000"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, content.length);
    const current = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: 'bytes=0-9', 'if-range': `"${payload.sha256}"` });
    assert.equal(current.status, 206);
    assert.ok(current.body.equals(content.subarray(0, 10)));
  });

  it('another OIN finds nothing: the same 404 as for a kenmerk that does not exist', async () => {
    const other = await fetchAs('recipient-b', `/api/v1/bestanden/${kenmerk}`);
    const unknown = await fetchAs('recipient-b', '/api/v1/bestanden/bestaat-niet');
    assert.equal(other.status, 404);
    assert.equal(unknown.status, 404);
    const body = (answer: Answer, name: string) => answer.body.toString('utf8').replaceAll(name, '{kenmerk}');
    assert.equal(body(other, kenmerk), body(unknown, 'bestaat-niet'));
    assert.ok(!other.body.includes(content.subarray(0, 16)));
    assert.equal((await fetchAs('recipient-b', `/api/v1/bestanden/${kenmerk}`, {}, 'HEAD')).status, 404);
  });

  it('a client that goes away mid-file leaves the service answering the next request', async () => {
    const credential = pki.clients['recipient-a'];
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(`${base}/api/v1/bestanden/${kenmerk}`, { cert: readFileSync(credential.cert), key: readFileSync(credential.key), ca: readFileSync(pki.caChain), agent: false }, (response) => {
        response.once('data', () => {
          outgoing.destroy();
          resolve();
        });
      });
      outgoing.on('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
      outgoing.end();
    });
    const again = await fetchAs('recipient-a', `/api/v1/bestanden/${kenmerk}`, { range: 'bytes=0-99' });
    assert.equal(again.status, 206);
    assert.ok(again.body.equals(content.subarray(0, 100)));
  });
});
