import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { generateTestPki } from '@poort/pki';
import { Chain, MtlsClient, ScratchDatabase, TestRecipient, freePortBlock } from '@poort/testing';

// Load generator: its own isolated chain (database, Kafka namespace, recipients, the eight services), N UBL
// invoices submitted by C concurrent workers over two-way TLS, and the time until each reaches status 400.

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const E2E_TIMEOUT_MS = 10 * 60_000;
const POLL_INTERVAL_MS = 200;
/** undici's per-origin connection limit of one MtlsClient. */
const CONNECTIONS_PER_CLIENT = 64;

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '32' } },
});
const N = Number(args.messages);
const C = Number(args.concurrency);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(C) || C < 1) {
  console.error('usage: load.js [--messages N] [--concurrency C]   (positive integers)');
  process.exit(64);
}
const kafkaBrokers = required('KAFKA_BROKERS');
const databaseUrl = required('DATABASE_URL');

const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')).toString('base64');
const suffix = randomBytes(4).toString('hex');

// --- setup -------------------------------------------------------------------------------------------------
const cleanups: (() => Promise<unknown>)[] = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const step of cleanups.reverse()) await step().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping…`);
    void cleanup().then(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await run();
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await cleanup();
}
process.exit(exitCode);

async function run(): Promise<number> {
  const setupStart = performance.now();
  // 8 services and 2 recipients, below the e2e tests' 20000-29999.
  const portBase = await freePortBlock(12, 10_000, 19_000);
  const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
  const database = await ScratchDatabase.create(databaseUrl, 'bench');
  cleanups.push(() => database.drop());
  const db = database.pool;

  const belastingdienst = new TestRecipient(portBase + 10);
  const bzk = new TestRecipient(portBase + 11);
  for (const recipient of [belastingdienst, bzk]) {
    await recipient.start();
    cleanups.push(() => recipient.stop());
  }

  const chain = new Chain({
    root: ROOT,
    kafkaBrokers,
    databaseUrl: database.url,
    configDir: join(ROOT, 'config'),
    pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
    portBase,
    logDir: join(ROOT, '.local/bench-logs', suffix),
    env: {
      KAFKA_NAMESPACE: `bench-${suffix}.`,
      RECIPIENT_BELASTINGDIENST_URL: belastingdienst.url,
      RECIPIENT_MINISTERIE_BZK_URL: bzk.url,
    },
  });
  cleanups.push(() => chain.stop());
  await chain.start();
  console.error(`chain up in ${Math.round(performance.now() - setupStart)} ms (database ${database.name}, namespace bench-${suffix}., logs .local/bench-logs/${suffix})`);

  const sender = pki.clients['sender-a'];
  const clients = Array.from({ length: Math.ceil(C / CONNECTIONS_PER_CLIENT) }, () => new MtlsClient({ cert: sender.cert, key: sender.key, ca: pki.caChain }));
  for (const client of clients) cleanups.push(() => client.close());
  const ingress = `${chain.url('ingress')}/api/v1/aanleveren`;

  // --- submit ----------------------------------------------------------------------------------------------
  const submitStartedAt = new Map<string, number>(); // kenmerk → epoch ms at request start
  const receiptMs: number[] = [];
  const rejections = new Map<string, number>();
  let next = 0;
  const firstSubmit = Date.now();
  const submitStart = performance.now();
  console.error(`submitting ${N} invoices with ${C} workers…`);
  await Promise.all(
    Array.from({ length: C }, async (_, worker) => {
      const client = clients[worker % clients.length]!;
      for (let i = next++; i < N; i = next++) {
        const body = `{"berichtsoort":"e-factuur","aanleverkenmerk":"bench-${suffix}-${i}","identiteitBelanghebbende":{"nummer":"001000044B37","type":"Fi"},"rolBelanghebbende":"Bedrijf","berichtInhoud":{"mimeType":"application/xml","bestandsnaam":"factuur.xml","inhoud":"${invoice}"}}`;
        const startedAt = Date.now();
        const t0 = performance.now();
        try {
          const response = await client.post<{ kenmerk?: string }>(ingress, body);
          const elapsed = performance.now() - t0;
          if (response.status === 200 && typeof response.body.kenmerk === 'string') {
            receiptMs.push(elapsed);
            submitStartedAt.set(response.body.kenmerk, startedAt);
          } else {
            count(rejections, `HTTP ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`);
          }
        } catch (error) {
          count(rejections, (error as Error).message);
        }
      }
    }),
  );
  const submitWallMs = performance.now() - submitStart;
  const accepted = submitStartedAt.size;
  console.error(`submitted in ${Math.round(submitWallMs)} ms: ${accepted} accepted, ${N - accepted} rejected`);
  for (const [reason, n] of rejections) console.error(`  ${n}× ${reason}`);

  // --- wait for status 400 (straight from status_history, not the HTTP API) -------------------------------
  const deliveredAt = new Map<string, number>(); // kenmerk → recorded_at epoch ms
  const otherFinal = new Map<string, string>(); // kenmerk → a final status other than 400
  let lastSeq = '0';
  const deadline = firstSubmit + E2E_TIMEOUT_MS;
  let lastReport = Date.now();
  while (deliveredAt.size + otherFinal.size < accepted && Date.now() < deadline) {
    const { rows } = await db.query<{ seq: string; kenmerk: string; statuscode: string; recorded_at: Date }>(
      `SELECT seq, kenmerk, statuscode, recorded_at FROM status_history
        WHERE seq > $1 AND (statuscode = '400' OR final) ORDER BY seq`,
      [lastSeq],
    );
    for (const row of rows) {
      lastSeq = row.seq;
      if (!submitStartedAt.has(row.kenmerk)) continue;
      if (row.statuscode === '400') {
        deliveredAt.set(row.kenmerk, row.recorded_at.getTime());
        otherFinal.delete(row.kenmerk);
      } else if (!deliveredAt.has(row.kenmerk)) otherFinal.set(row.kenmerk, row.statuscode);
    }
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      console.error(`  … ${deliveredAt.size}/${accepted} at status 400`);
    }
    if (deliveredAt.size + otherFinal.size < accepted) await sleep(POLL_INTERVAL_MS);
  }

  // --- report ----------------------------------------------------------------------------------------------
  const e2eMs = [...deliveredAt].map(([kenmerk, at]) => at - submitStartedAt.get(kenmerk)!);
  const lastDelivered = Math.max(...deliveredAt.values());
  const e2eWallMs = deliveredAt.size > 0 ? lastDelivered - firstSubmit : NaN;
  const receipt = percentiles(receiptMs);
  const endToEnd = percentiles(e2eMs);
  const result = {
    cores: availableParallelism(),
    messages: N,
    concurrency: C,
    accepted,
    delivered: deliveredAt.size,
    otherFinal: otherFinal.size,
    submitWallMs: round(submitWallMs),
    acceptedPerSec: round((accepted / submitWallMs) * 1000),
    e2eWallMs: round(e2eWallMs),
    deliveredPerSec: round((deliveredAt.size / e2eWallMs) * 1000),
    receiptMs: receipt,
    e2eMs: endToEnd,
    recipients: { belastingdienst: belastingdienst.deliveries.size, 'ministerie-bzk': bzk.deliveries.size },
  };
  const ok = accepted === N && deliveredAt.size === N && belastingdienst.deliveries.size === N && bzk.deliveries.size === N;

  const table: [string, string][] = [
    ['cores (availableParallelism)', String(result.cores)],
    ['messages (N)', String(N)],
    ['concurrency (C)', String(C)],
    ['accepted (200 receipt)', `${accepted} / ${N}`],
    ['reached status 400', `${deliveredAt.size} / ${accepted}${otherFinal.size ? `  (${otherFinal.size} ended otherwise: ${summarize(otherFinal)})` : ''}`],
    ['submit wall time', `${result.submitWallMs} ms`],
    ['accepted/s', String(result.acceptedPerSec)],
    ['first submit → last 400', `${result.e2eWallMs} ms`],
    ['end-to-end delivered/s', String(result.deliveredPerSec)],
    ['receipt latency p50/p95/p99', `${receipt.p50} / ${receipt.p95} / ${receipt.p99} ms  (max ${receipt.max})`],
    ['end-to-end latency p50/p95/p99', `${endToEnd.p50} / ${endToEnd.p95} / ${endToEnd.p99} ms  (max ${endToEnd.max})`],
    ['delivered to belastingdienst', `${result.recipients.belastingdienst} / ${N}`],
    ['delivered to ministerie-bzk', `${result.recipients['ministerie-bzk']} / ${N}`],
    ['result', ok ? 'OK' : 'FAILED: not every message reached status 400 at both recipients'],
  ];
  const width = Math.max(...table.map(([label]) => label.length));
  console.log(`\nPoort load benchmark\n${'-'.repeat(width + 40)}`);
  for (const [label, value] of table) console.log(`${label.padEnd(width)}  ${value}`);
  console.log(`${'-'.repeat(width + 40)}\n${JSON.stringify({ ok, ...result })}`);
  return ok ? 0 : 1;
}

function percentiles(samples: readonly number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!));
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function summarize(otherFinal: ReadonlyMap<string, string>): string {
  const byCode = new Map<string, number>();
  for (const code of otherFinal.values()) count(byCode, code);
  return [...byCode].map(([code, n]) => `${n}× ${code}`).join(', ');
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: run scripts/bench.sh, or source scripts/infra/env.sh first`);
    process.exit(64);
  }
  return value;
}
