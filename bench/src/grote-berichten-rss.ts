import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { generateTestPki } from '@poort/pki';
import { Chain, ScratchDatabase, freePortBlock, requiredEnv } from '@poort/testing';

// The peak memory of a real ingress process while it takes one large Grote Bericht (docs/grote-berichten.md): a file of
// GB_SIZE bytes (default 200 MB) announced and uploaded in 8 MiB PUTs, then another in one single PUT, each ending in
// completion (SHA-256 check, payload store, message). Reports VmHWM of the ingress process (reset between the runs
// through /proc/<pid>/clear_refs) and the throughput. Needs a message type whose content.maxBytes allows the size.
//   . scripts/infra/env.sh && node bench/dist/src/grote-berichten-rss.js

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const SIZE = Number(process.env.GB_SIZE ?? 200_000_000);
const PIECE = 64 * 1024;
const MIB = 1024 * 1024;

/** The file's bytes, the same on every call: 1 MiB of random bytes with the MiB's number in front. */
const block = randomBytes(MIB);
function* fileBytes(start: number, end: number): Generator<Buffer> {
  for (let at = start; at <= end; ) {
    const mib = Math.floor(at / MIB);
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(mib, 0);
    const from = at - mib * MIB;
    const to = Math.min(MIB, end - mib * MIB + 1);
    for (let offset = from; offset < to; offset += PIECE) yield chunk.subarray(offset, Math.min(to, offset + PIECE));
    at = mib * MIB + to;
  }
}

const hash = createHash('sha256');
for (const piece of fileBytes(0, SIZE - 1)) hash.update(piece);
const sha256 = hash.digest('hex');

const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
const db = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'bench_grote_berichten');
const configDir = mkdtempSync(join(tmpdir(), 'poort-gb-config-'));
cpSync(join(ROOT, 'config'), configDir, { recursive: true, dereference: true });
const typeFile = join(configDir, 'message-types/omzetbelasting.yaml');
writeFileSync(typeFile, readFileSync(typeFile, 'utf8').replace(/maxBytes: \d+/, `maxBytes: ${SIZE}`));
const logDir = mkdtempSync(join(tmpdir(), 'poort-gb-logs-'));
const chain = new Chain({
  root: ROOT,
  kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
  databaseUrl: db.url,
  configDir,
  pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
  portBase: await freePortBlock(8, 20_000, 30_000),
  logDir,
  env: {
    KAFKA_NAMESPACE: `bench-gb-${randomBytes(3).toString('hex')}.`,
    HTTP_REQUEST_TIMEOUT_MS: '600000',
    // GB_INGRESS_X=v sets X=v for the ingress process (e.g. GB_INGRESS_MALLOC_ARENA_MAX=2, GB_INGRESS_NODE_OPTIONS=...).
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('GB_INGRESS_')).map(([name, value]) => [name.slice('GB_INGRESS_'.length), value ?? ''])),
  },
});
const sender = pki.clients['sender-a'];
const agent = new Agent({ ca: readFileSync(pki.caChain), cert: readFileSync(sender.cert), key: readFileSync(sender.key), keepAlive: true });

function send(method: string, path: string, headers: Record<string, string | number>, body: Iterable<Buffer> | Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${chain.url('ingress')}${path}`, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    outgoing.once('error', reject);
    if (Buffer.isBuffer(body)) outgoing.end(body);
    else pipeline(Readable.from(body), outgoing).catch(reject);
  });
}

/** Heap and external memory as the process's own metrics say (prom-client's default metrics). */
async function heap(): Promise<Record<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    request(`${chain.url('ingress')}/metrics`, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    })
      .once('error', reject)
      .end();
  });
  const read = (name: string) => Number((new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN)) / MIB;
  const mib = (value: number) => Number(value.toFixed(1));
  return {
    heapUsedMiB: mib(read('poort_nodejs_heap_size_used_bytes') || read('nodejs_heap_size_used_bytes')),
    heapTotalMiB: mib(read('poort_nodejs_heap_size_total_bytes') || read('nodejs_heap_size_total_bytes')),
    externalMiB: mib(read('poort_nodejs_external_memory_bytes') || read('nodejs_external_memory_bytes')),
  };
}

const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const kib = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status(pid))?.[1] ?? NaN);

async function upload(label: string, putBytes: number, pid: number): Promise<void> {
  const announcement = Buffer.from(
    JSON.stringify({
      berichtsoort: 'Omzetbelasting',
      aanleverkenmerk: `bench-${label}-${randomBytes(3).toString('hex')}`,
      identiteitBelanghebbende: { nummer: '123456782', type: 'Fi' },
      rolBelanghebbende: 'Bedrijf',
      bestand: { bestandsnaam: 'groot.xml', mimeType: 'application/xml', grootte: SIZE, sha256 },
    }),
  );
  const announced = await send('POST', '/api/v1/grote-berichten', { 'content-type': 'application/json', 'content-length': announcement.byteLength }, announcement);
  if (announced.status !== 201) throw new Error(`announce: ${announced.status} ${JSON.stringify(announced.body)}`);
  const heapBefore = await heap();
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = kib(pid, 'VmHWM');
  const started = performance.now();
  let last: { status: number; body: Record<string, unknown> } | undefined;
  let beforeLastPut = before;
  for (let start = 0; start < SIZE; start += putBytes) {
    const end = Math.min(SIZE, start + putBytes) - 1;
    if (end === SIZE - 1) beforeLastPut = kib(pid, 'VmHWM');
    last = await send(
      'PUT',
      String(announced.body.location),
      { 'content-type': 'application/octet-stream', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${SIZE}` },
      fileBytes(start, end),
    );
    if (last.status !== (end === SIZE - 1 ? 201 : 200)) throw new Error(`PUT ${start}-${end}: ${last.status} ${JSON.stringify(last.body)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      run: label,
      bytes: SIZE,
      putBytes,
      puts: Math.ceil(SIZE / putBytes),
      kenmerk: last?.body.kenmerk,
      seconds: Number(seconds.toFixed(1)),
      mbPerSecond: Number((SIZE / 1e6 / seconds).toFixed(1)),
      vmHwmBeforeMiB: Number((before / 1024).toFixed(1)),
      vmHwmBeforeLastPutMiB: Number((beforeLastPut / 1024).toFixed(1)),
      vmHwmPeakMiB: Number((kib(pid, 'VmHWM') / 1024).toFixed(1)),
      vmRssAfterMiB: Number((kib(pid, 'VmRSS') / 1024).toFixed(1)),
      heapBefore,
      heapAfter: await heap(),
    }),
  );
}

try {
  await chain.startService('ingress');
  const pid = chain.pids()['ingress#0']!;
  await upload('8MiB-puts', 8 * MIB, pid);
  await upload('one-put', SIZE, pid);
} finally {
  await chain.stop();
  agent.destroy();
  await db.drop();
  rmSync(configDir, { recursive: true, force: true });
  console.log(`ingress log: ${logDir}`);
}
