import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { KafkaBus } from '@poort/kafka';
import { generateTestPki } from '@poort/pki';
import { Chain, MtlsClient, ScratchDatabase, freePortBlock, type ServiceName } from '@poort/testing';
import { Agent } from 'undici';

import { bulkLoop, restBulkSubmit } from './bulk-submit.js';
import { CpuSampler, kafkaBrokerPid, postmasterPid, type CpuReport, type CpuSource } from './cpu-sampler.js';
import { describeMachine, durabilityWarning, machineLine } from './machine.js';
import { RecipientsThread } from './recipients-thread.js';
import { formatCpu, formatPercentiles, formatTable, percentiles, round, summarizeCpu } from './report.js';
import { closedLoop, count, openLoop, restSubmit, wusSubmit, type Submissions, type Submit } from './submit.js';
import { AANLEVER_PATH, WUS_MAX_MESSAGE_AGE_MS, signAanleveren, type SignedRequest } from './wus-request.js';

// Load generator: its own isolated chain (database, Kafka namespace, recipients, the eight services), UBL invoices
// submitted over two-way TLS (REST or signed WUS), closed loop (N messages, C workers) or open loop (R per second
// for S seconds), the time until each reaches status 400, and the CPU each process spent on it.

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const E2E_TIMEOUT_MS = 10 * 60_000;
const POLL_INTERVAL_MS = 200;
/** undici's per-origin connection limit of one MtlsClient. */
const CONNECTIONS_PER_CLIENT = 64;
/**
 * How long the bench's connections stay open while idle: below ingress's HTTP_KEEP_ALIVE_TIMEOUT_MS (5 s), as a
 * submitter's client would keep them. With the test clients' 0.5 s, every lull in an open loop ended in new mutual TLS
 * handshakes (ingress's CPU, and the next requests' latency) that a real submitter does not cause.
 */
const CLIENT_KEEP_ALIVE_MS = 4_000;
/** Open loop: connections available, as many as ingress takes at once (INGRESS_MAX_IN_FLIGHT's default). */
const OPEN_LOOP_CONNECTIONS = 256;
/** Open loop "kept up": delivered/s at least this share of the offered rate … */
const KEPT_UP_SHARE = 0.95;
/** … and the last message at status 400 at most this long after the submission window ended. */
const KEPT_UP_DRAIN_MS = 5_000;

/**
 * --warmup: messages put through each fresh chain before the window, so that the figures are those of running
 * services (compiled code, open pools and connections) rather than of their first seconds.
 */
const DEFAULT_WARMUP = 500;
/** --idle: how long the chain is left alone before its idle CPU is sampled. */
const IDLE_SETTLE_MS = 5_000;

type Channel = 'rest' | 'wus';
type Mode = { readonly kind: 'closed'; readonly n: number; readonly concurrency: number } | { readonly kind: 'open'; readonly n: number; readonly rate: number; readonly durationS: number };
/** --mode bulk: closed loop over NDJSON bulks of this many messages (POST /api/v1/bulk), --concurrency bulks at once. */
const DEFAULT_BULK_SIZE = 500;
const DEFAULT_BULK_CONCURRENCY = 2;

const USAGE =
  'usage: load.js [--channel rest|wus] [--messages N] [--concurrency C] [--idle S] [--warmup W]   closed loop (default N=2000, C=32)\n' +
  '       load.js [--channel rest|wus] --rate R --duration S [--idle S] [--warmup W]              open loop: R messages/s for S seconds\n' +
  `       load.js --mode bulk [--bulk-size B] [--messages N] [--concurrency C]                   bulks of B (default ${DEFAULT_BULK_SIZE}) over REST, C bulks at once (default ${DEFAULT_BULK_CONCURRENCY})\n` +
  '       --idle S: sample the idle chain\'s CPU for S seconds first (default 5; 0 skips it)\n' +
  `       --warmup W: first put W messages through the fresh chain, outside every figure (default ${DEFAULT_WARMUP}; 0: a cold chain)`;
/** The command line (node:util parseArgs); see USAGE. */
const OPTIONS = {
  messages: { type: 'string' },
  concurrency: { type: 'string' },
  channel: { type: 'string', default: 'rest' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  idle: { type: 'string', default: '5' },
  warmup: { type: 'string', default: String(DEFAULT_WARMUP) },
  mode: { type: 'string', default: 'single' },
  'bulk-size': { type: 'string' },
} as const;
const { channel, mode, idleS, warmup, bulkSize } = parseArguments();
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

  // The run's topics and consumer groups go with it: partitions left by earlier runs cost the broker in every later one.
  cleanups.push(() => deleteKafkaNamespace(`bench-${suffix}.`));
  const recipientsThread = await RecipientsThread.start({ belastingdienst: portBase + 10, 'ministerie-bzk': portBase + 11 });
  cleanups.push(() => recipientsThread.stop());

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
      RECIPIENT_BELASTINGDIENST_URL: recipientsThread.urls.belastingdienst!,
      RECIPIENT_MINISTERIE_BZK_URL: recipientsThread.urls['ministerie-bzk']!,
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    },
  });
  cleanups.push(() => chain.stop());
  await chain.start();
  console.error(`chain up in ${Math.round(performance.now() - setupStart)} ms (database ${database.name}, namespace bench-${suffix}., logs .local/bench-logs/${suffix})`);

  const kafkaPid = kafkaBrokerPid(join(ROOT, '.local/kafka'));
  const machine = await describeMachine(db, kafkaPid, join(ROOT, '.local/kafka/data'));
  console.error(machineLine(machine));
  const warning = durabilityWarning(machine);
  if (warning) console.error(warning);
  const sampler = new CpuSampler(cpuSources(chain, kafkaPid), machine.cores);

  const sender = pki.clients['sender-a'];
  const connections = mode.kind === 'closed' ? mode.concurrency : OPEN_LOOP_CONNECTIONS;
  const clients = Array.from(
    { length: Math.ceil(connections / CONNECTIONS_PER_CLIENT) },
    () => new MtlsClient({ cert: sender.cert, key: sender.key, ca: pki.caChain }, { keepAliveMs: CLIENT_KEEP_ALIVE_MS }),
  );
  for (const client of clients) cleanups.push(() => client.close());
  /** Bulk mode: one connection per bulk in flight, the sender's certificate, answers streamed (undici directly). */
  const bulkAgent = () => {
    const agent = new Agent({
      connect: { ca: readFileSync(pki.caChain), cert: readFileSync(sender.cert), key: readFileSync(sender.key) },
      keepAliveTimeout: CLIENT_KEEP_ALIVE_MS,
      keepAliveMaxTimeout: CLIENT_KEEP_ALIVE_MS,
    });
    cleanups.push(() => agent.close());
    return agent;
  };

  // --- submit ----------------------------------------------------------------------------------------------
  const endpoint = `${chain.url('ingress')}${AANLEVER_PATH}`;
  const signer = { certificatePem: readFileSync(sender.cert, 'utf8'), privateKeyPem: readFileSync(sender.key, 'utf8') };
  /** Messages first … first+count-1 of the run, each with its own aanleverkenmerk; WUS requests are signed here and now. */
  const messages = (first: number, count: number): { submit: Submit; signed: SignedRequest[] } => {
    if (channel === 'rest') return { submit: restSubmit(clients, chain.url('ingress'), (index) => restBody(first + index)), signed: [] };
    const signed = presign(first, count, endpoint, signer);
    return { submit: wusSubmit(clients, endpoint, signed), signed };
  };
  if (warmup > 0) await warmUp(db, warmup, mode.kind === 'closed' ? mode.concurrency : 32, messages(0, warmup).submit);
  const idle = idleS > 0 ? await sampleIdle(sampler, idleS) : undefined;
  const { submit, signed } = messages(warmup, mode.n);
  console.error(bulkSize !== undefined && mode.kind === 'closed'
    ? `submitting ${mode.n} invoices in bulks of ${bulkSize}, ${mode.concurrency} bulks at once…`
    : mode.kind === 'closed'
    ? `submitting ${mode.n} invoices over ${channel} with ${mode.concurrency} workers…`
    : `submitting ${mode.rate} invoices/s over ${channel} for ${mode.durationS} s (${mode.n} in all, open loop)…`);
  const onStart = () => sampler.begin();
  const submissions = bulkSize !== undefined && mode.kind === 'closed'
    ? await bulkLoop(mode.n, bulkSize, mode.concurrency, restBulkSubmit(bulkAgent(), chain.url('ingress'), (index) => restBody(warmup + index)), onStart)
    : mode.kind === 'closed'
    ? await closedLoop(mode.n, mode.concurrency, submit, onStart)
    : await openLoop(mode.rate, mode.durationS, submit, onStart);
  const accepted = submissions.startedAt.size;
  console.error(`submitted in ${Math.round(submissions.submitWallMs)} ms: ${accepted} accepted, ${mode.n - accepted} rejected`);
  for (const [reason, n] of submissions.rejections) console.error(`  ${n}× ${reason}`);

  const { deliveredAt, otherFinal } = await awaitStatus400(db, submissions);
  // The window ends when the last message is seen at status 400 (at most one poll interval after it got there).
  const cpu = summarizeCpu(sampler.end(), deliveredAt.size, idle);

  // --- report ----------------------------------------------------------------------------------------------
  const e2eMs = [...deliveredAt].map(([kenmerk, at]) => at - submissions.startedAt.get(kenmerk)!);
  const lastDelivered = deliveredAt.size > 0 ? Math.max(...deliveredAt.values()) : NaN;
  const e2eWallMs = lastDelivered - submissions.firstSubmit;
  const open = mode.kind === 'open' ? openLoopFigures(mode, submissions, deliveredAt) : undefined;
  const wusOldestAgeAtSendMs = channel === 'wus' ? round(oldestAgeAtSend(signed, submissions)) : undefined;
  const received = await recipientsThread.kenmerken();
  const measuredAt = (name: string) => (received[name] ?? []).filter((kenmerk) => submissions.startedAt.has(kenmerk)).length;
  const recipients = { belastingdienst: measuredAt('belastingdienst'), 'ministerie-bzk': measuredAt('ministerie-bzk') };
  const result = {
    channel: bulkSize === undefined ? channel : 'bulk',
    ...(bulkSize === undefined ? {} : { bulkSize }),
    mode: mode.kind,
    ...(mode.kind === 'closed' ? { messages: mode.n, concurrency: mode.concurrency } : { rate: mode.rate, durationS: mode.durationS, messages: mode.n }),
    warmup,
    accepted,
    delivered: deliveredAt.size,
    otherFinal: otherFinal.size,
    submitWallMs: round(submissions.submitWallMs),
    acceptedPerSec: round((accepted / submissions.submitWallMs) * 1000),
    e2eWallMs: round(e2eWallMs),
    deliveredPerSec: round((deliveredAt.size / e2eWallMs) * 1000),
    receiptMs: percentiles(submissions.receiptMs),
    e2eMs: percentiles(e2eMs),
    recipients,
    ...open,
    ...(wusOldestAgeAtSendMs === undefined ? {} : { wusOldestAgeAtSendMs }),
  };
  const n = mode.n;
  const ok = accepted === n && deliveredAt.size === n && recipients.belastingdienst === n && recipients['ministerie-bzk'] === n;

  const rows: [string, string][] = [
    [
      'channel',
      bulkSize !== undefined
        ? `bulk (POST /api/v1/bulk, NDJSON, ${bulkSize} per bulk; receipt latency: bulk start → the item's answer line)`
        : channel === 'rest' ? 'rest (POST /api/v1/aanleveren, JSON)' : `wus (${AANLEVER_PATH}, WS-Security signed SOAP)`,
    ],
    ...(mode.kind === 'closed'
      ? ([['load', 'closed loop'], ['messages (N)', String(n)], [bulkSize === undefined ? 'concurrency (C)' : 'bulks at once (C)', String(mode.concurrency)]] as [string, string][])
      : ([['load', 'open loop'], ['offered rate (R)', `${mode.rate} /s`], ['duration (S)', `${mode.durationS} s`], ['messages (R × S)', String(n)]] as [string, string][])),
    ['warm-up (W, not counted)', warmup > 0 ? `${warmup} messages before the window, all at 400` : 'none: the services start cold'],
    ['accepted (200 receipt)', `${accepted} / ${n}`],
    ['reached status 400', `${deliveredAt.size} / ${accepted}${otherFinal.size ? `  (${otherFinal.size} ended otherwise: ${summarize(otherFinal)})` : ''}`],
    ['submit wall time', `${result.submitWallMs} ms`],
    ['accepted/s', String(result.acceptedPerSec)],
    ['first submit → last 400', `${result.e2eWallMs} ms`],
    ['end-to-end delivered/s', String(result.deliveredPerSec)],
    ['receipt latency p50/p95/p99', formatPercentiles(result.receiptMs)],
    ['end-to-end latency p50/p95/p99', formatPercentiles(result.e2eMs)],
    ...(open && mode.kind === 'open' ? openLoopRows(open, mode.rate) : []),
    ...(wusOldestAgeAtSendMs === undefined ? [] : wusRows(signed.length, wusOldestAgeAtSendMs)),
    ['delivered to belastingdienst', `${recipients.belastingdienst} / ${n}`],
    ['delivered to ministerie-bzk', `${recipients['ministerie-bzk']} / ${n}`],
    ['result', ok ? 'OK' : 'FAILED: not every message reached status 400 at both recipients'],
  ];
  console.log(`\n${machineLine(machine)}`);
  if (warning) console.log(warning);
  console.log(`\n${formatTable('Poort load benchmark', rows)}`);
  console.log(`\n${formatCpu(cpu, machine.cores)}`);
  console.log(JSON.stringify({ ok, machine, ...result, cpu }));
  return ok ? 0 : 1;
}

/** What the CPU table covers: each service process, the broker, Postgres (postmaster + children), this process. */
function cpuSources(chain: Chain, kafkaPid: number | undefined): Map<string, CpuSource> {
  const sources = new Map<string, CpuSource>();
  for (const [key, pid] of Object.entries(chain.pids())) {
    const [service, replica] = key.split('#') as [ServiceName, string];
    sources.set(chain.replicasOf(service) === 1 ? service : `${service}#${replica}`, { kind: 'pid', pid });
  }
  if (kafkaPid !== undefined) sources.set('Kafka broker', { kind: 'pid', pid: kafkaPid });
  else console.error('warning: the Kafka broker process was not found (.local/kafka/kafka.pid): it is left out of the CPU table');
  const postgresData = process.env.PG_DATA ?? join(ROOT, '.local/postgres/data');
  const postmaster = postmasterPid(postgresData);
  if (postmaster !== undefined) sources.set('Postgres (all processes)', { kind: 'postgres', postmasterPid: postmaster });
  else console.error(`warning: no postmaster.pid in ${postgresData}: Postgres is left out of the CPU table`);
  sources.set('load generator + recipients', { kind: 'self' });
  return sources;
}

/**
 * The chain's CPU with nothing to do: what each process spends per second on polling loops, heartbeats, timers.
 * Sampled after a settle time: right after the services report ready, the broker is still creating their topics
 * and settling their consumer groups, which is start-up work, not idle work.
 */
async function sampleIdle(sampler: CpuSampler, seconds: number): Promise<CpuReport> {
  console.error(`letting the chain settle for ${IDLE_SETTLE_MS / 1000} s, then sampling its idle CPU for ${seconds} s…`);
  await sleep(IDLE_SETTLE_MS);
  sampler.begin();
  await sleep(seconds * 1000);
  return sampler.end();
}

/**
 * Puts the first `count` messages through the fresh chain (closed loop) and waits until each reached a final status:
 * the services' code is then compiled and their pools and connections open, as in a chain that has been running.
 * Nothing of it counts: the CPU window, the latencies and the recipients' counts are the measured messages' only.
 */
async function warmUp(db: ScratchDatabase['pool'], count: number, concurrency: number, submit: Submit): Promise<void> {
  console.error(`warming up: ${count} messages first, outside the figures…`);
  const warm = await closedLoop(count, concurrency, submit, () => undefined);
  const { deliveredAt, otherFinal } = await awaitStatus400(db, warm);
  if (warm.startedAt.size < count || deliveredAt.size < count) {
    throw new Error(`warm-up: ${warm.startedAt.size}/${count} accepted, ${deliveredAt.size} at 400${otherFinal.size ? `, ${summarize(otherFinal)}` : ''}`);
  }
}

function restBody(index: number): string {
  return `{"berichtsoort":"e-factuur","aanleverkenmerk":"bench-${suffix}-${index}","identiteitBelanghebbende":{"nummer":"001000044B37","type":"Fi"},"rolBelanghebbende":"Bedrijf","berichtInhoud":{"mimeType":"application/xml","bestandsnaam":"factuur.xml","inhoud":"${invoice}"}}`;
}

/**
 * Signs every request before the window opens: signing is the client's cost, not Poort's. Each has its own
 * wsa:MessageID and a wsu:Created of its signing time, so all must be sent within the maximum message age; they are
 * signed in the order they are sent, so the oldest request is the first one out.
 */
function presign(first: number, n: number, endpoint: string, signer: { certificatePem: string; privateKeyPem: string }): SignedRequest[] {
  const start = performance.now();
  const signed = Array.from({ length: n }, (_, index) =>
    signAanleveren({ to: endpoint, berichtsoort: 'e-factuur', aanleverkenmerk: `bench-${suffix}-${first + index}`, bestandsnaam: 'factuur.xml', inhoudBase64: invoice }, signer),
  );
  console.error(`signed ${n} WUS requests in ${Math.round(performance.now() - start)} ms (before the measured window)`);
  return signed;
}

/** An upper bound on any request's age when it was sent: the last answer minus the first signature. */
function oldestAgeAtSend(signed: readonly SignedRequest[], submissions: Submissions): number {
  return submissions.firstSubmit + submissions.submitWallMs - (signed[0]?.created.getTime() ?? NaN);
}

function wusRows(signedCount: number, oldestAgeMs: number): [string, string][] {
  const within = oldestAgeMs <= WUS_MAX_MESSAGE_AGE_MS;
  return [
    ['WUS requests signed up front', String(signedCount)],
    ['WUS oldest request age at send', `≤ ${Math.round(oldestAgeMs / 1000)} s (limit ${WUS_MAX_MESSAGE_AGE_MS / 1000} s)${within ? '' : '  !!! some requests may have been refused as too old'}`],
  ];
}

/**
 * Open loop: the generator's own lateness, the delivery rate in the second half of the submission window (by then
 * the pipeline's latency is behind us, so it is the rate the chain sustains at this load, not diluted by the time
 * the first messages take to get through), how long the backlog took to drain, and whether the chain kept up.
 */
function openLoopFigures(mode: Extract<Mode, { kind: 'open' }>, submissions: Submissions, deliveredAt: ReadonlyMap<string, number>) {
  const windowEnd = submissions.firstSubmit + mode.durationS * 1000;
  const secondHalfStart = submissions.firstSubmit + (mode.durationS * 1000) / 2;
  let inSecondHalf = 0;
  for (const at of deliveredAt.values()) if (at > secondHalfStart && at <= windowEnd) inSecondHalf++;
  const steadyDeliveredPerSec = inSecondHalf / (mode.durationS / 2);
  const lastDelivered = deliveredAt.size > 0 ? Math.max(...deliveredAt.values()) : NaN;
  const drainMs = Math.max(0, lastDelivered - windowEnd);
  const keptUp =
    submissions.startedAt.size === mode.n && deliveredAt.size === mode.n && steadyDeliveredPerSec >= KEPT_UP_SHARE * mode.rate && drainMs <= KEPT_UP_DRAIN_MS;
  return { generatorLagMs: percentiles(submissions.lagMs), steadyDeliveredPerSec: round(steadyDeliveredPerSec), drainMs: round(drainMs), keptUp };
}

function openLoopRows(result: ReturnType<typeof openLoopFigures>, rate: number): [string, string][] {
  return [
    ['generator lag p50/p95/p99', formatPercentiles(result.generatorLagMs)],
    ['delivered/s, 2nd half of window', String(result.steadyDeliveredPerSec)],
    ['backlog drained after window', `${result.drainMs} ms`],
    [
      'kept up',
      `${result.keptUp ? 'yes' : 'no'}  (rule: every message accepted and at 400, delivered/s in the 2nd half of the window ≥ ` +
        `${KEPT_UP_SHARE * 100} % of ${rate}/s, last 400 ≤ ${KEPT_UP_DRAIN_MS / 1000} s after the window)`,
    ],
  ];
}

/** Polls status_history (not the HTTP API) until every accepted kenmerk has status 400 or another final status. */
async function awaitStatus400(db: ScratchDatabase['pool'], submissions: Submissions): Promise<{ deliveredAt: Map<string, number>; otherFinal: Map<string, string> }> {
  const deliveredAt = new Map<string, number>(); // kenmerk → recorded_at epoch ms
  const otherFinal = new Map<string, string>(); // kenmerk → a final status other than 400
  const accepted = submissions.startedAt.size;
  let lastSeq = '0';
  const deadline = submissions.firstSubmit + E2E_TIMEOUT_MS;
  let lastReport = Date.now();
  while (deliveredAt.size + otherFinal.size < accepted && Date.now() < deadline) {
    const { rows } = await db.query<{ seq: string; kenmerk: string; statuscode: string; recorded_at: Date }>(
      `SELECT seq, kenmerk, statuscode, recorded_at FROM status_history
        WHERE seq > $1 AND (statuscode = '400' OR final) ORDER BY seq`,
      [lastSeq],
    );
    for (const row of rows) {
      lastSeq = row.seq;
      if (!submissions.startedAt.has(row.kenmerk)) continue;
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
  return { deliveredAt, otherFinal };
}

function summarize(otherFinal: ReadonlyMap<string, string>): string {
  const byCode = new Map<string, number>();
  for (const code of otherFinal.values()) count(byCode, code);
  return [...byCode].map(([code, n]) => `${n}× ${code}`).join(', ');
}

function parseArguments(): { channel: Channel; mode: Mode; idleS: number; warmup: number; bulkSize: number | undefined } {
  const fail = (why: string): never => {
    console.error(`${why}\n${USAGE}`);
    process.exit(64);
  };
  const values = (() => {
    try {
      return parseArgs({ options: OPTIONS }).values;
    } catch (error) {
      return fail((error as Error).message); // e.g. an unknown option, or a value that looks like an option (--idle -1)
    }
  })();
  const positive = (name: string, text: string | undefined, fallback?: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (value === undefined || !(value > 0) || !Number.isFinite(value)) return fail(`--${name} must be a positive number`);
    return value;
  };
  if (values.channel !== 'rest' && values.channel !== 'wus') fail(`--channel must be rest or wus, not ${values.channel}`);
  const channel = values.channel as Channel;
  const idleS = Number(values.idle);
  if (!(idleS >= 0) || !Number.isFinite(idleS)) fail('--idle must be a number of seconds ≥ 0');
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) fail('--warmup must be a whole number of messages ≥ 0');
  if (values.mode !== 'single' && values.mode !== 'bulk') fail(`--mode must be single or bulk, not ${values.mode}`);
  if (values.mode === 'bulk') {
    if (values.channel !== 'rest') fail('--mode bulk is REST only (POST /api/v1/bulk): it takes no --channel wus');
    if (values.rate !== undefined || values.duration !== undefined) fail('--mode bulk is a closed loop: it takes no --rate or --duration');
    const n = positive('messages', values.messages, 2000);
    const concurrency = positive('concurrency', values.concurrency, DEFAULT_BULK_CONCURRENCY);
    const bulkSize = positive('bulk-size', values['bulk-size'], DEFAULT_BULK_SIZE);
    if (!Number.isInteger(n) || !Number.isInteger(concurrency) || !Number.isInteger(bulkSize)) fail('--messages, --concurrency and --bulk-size must be integers');
    return { channel, idleS, warmup, bulkSize, mode: { kind: 'closed', n, concurrency } };
  }
  if (values['bulk-size'] !== undefined) fail('--bulk-size goes with --mode bulk');
  if (values.rate === undefined && values.duration === undefined) {
    const n = positive('messages', values.messages, 2000);
    const concurrency = positive('concurrency', values.concurrency, 32);
    if (!Number.isInteger(n) || !Number.isInteger(concurrency)) fail('--messages and --concurrency must be integers');
    return { channel, idleS, warmup, bulkSize: undefined, mode: { kind: 'closed', n, concurrency } };
  }
  if (values.messages !== undefined || values.concurrency !== undefined) fail('open loop (--rate, --duration) takes no --messages or --concurrency');
  const rate = positive('rate', values.rate);
  const durationS = positive('duration', values.duration);
  const n = Math.round(rate * durationS);
  if (n < 1) fail('--rate × --duration must be at least one message');
  return { channel, idleS, warmup, bulkSize: undefined, mode: { kind: 'open', n, rate, durationS } };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: run scripts/bench.sh, or source scripts/infra/env.sh first`);
    process.exit(64);
  }
  return value;
}

async function deleteKafkaNamespace(namespace: string): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const bus = new KafkaBus({ brokers: kafkaBrokers.split(','), clientId: 'bench-cleanup', namespace }, quiet);
  await bus.connect();
  try {
    await bus.deleteNamespace();
  } finally {
    await bus.close();
  }
}
