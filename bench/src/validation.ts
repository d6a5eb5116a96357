import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { ruleSetEntry, standardsDir, standardsFile } from '@poort/standards';

import { BASE_INVOICE, generateInvoice, linesForSize, toPeppolBis3 } from './invoice-generator.js';
import { SAXON_HE_VERSION, prepareSaxonHe } from './saxon-he.js';
import type { RunResult } from './validation-run.js';

// Validation benchmark (issue 12): what the official UBL 2.1 schema (libxml2-wasm) and the SI-UBL 2.0 Schematron
// rules (SaxonJS) cost per invoice, for invoices of 10, 100 and 1,000 lines and one of ~7 MB, generated from an
// official SI-UBL 2.0 "ok" invoice. Each check × invoice runs in a process of its own (validation-run.ts), so its
// peak RSS is its own; with --java the same rules' XSLT runs under Java Saxon-HE too. No Kafka, no Postgres.

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const MB = 1_000_000;

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '10,100,1000' },
    'big-mb': { type: 'string', default: '7' },
    repeat: { type: 'string', default: '5' },
    'big-repeat': { type: 'string', default: '3' },
    'min-seconds': { type: 'string', default: '2' },
    java: { type: 'boolean', default: false },
    peppol: { type: 'boolean', default: false },
  },
});
const LINES = (args.lines ?? '').split(',').filter(Boolean).map(Number);
const BIG_MB = Number(args['big-mb']);
const REPEAT = Number(args.repeat);
const BIG_REPEAT = Number(args['big-repeat']);
const MIN_SECONDS = Number(args['min-seconds']);
if (LINES.length === 0 || !LINES.every((n) => Number.isSafeInteger(n) && n >= 1) || !(BIG_MB >= 0)
  || !Number.isInteger(REPEAT) || REPEAT < 1 || !Number.isInteger(BIG_REPEAT) || BIG_REPEAT < 1 || !(MIN_SECONDS >= 0)) {
  console.error('usage: validation.js [--lines 10,100,1000] [--big-mb 7 (0: none)] [--repeat 5] [--big-repeat 3] [--min-seconds 2] [--java] [--peppol]');
  process.exit(64);
}

// --- the invoices ---------------------------------------------------------------------------------------------
interface Invoice {
  readonly label: string;
  readonly lines: number;
  readonly bytes: number;
  readonly file: string;
  readonly big: boolean;
}

const standards = standardsDir();
const base = readFileSync(standardsFile(BASE_INVOICE, standards), 'utf8');
const outDir = join(ROOT, '.local/bench-validation');
mkdirSync(outDir, { recursive: true });

function writeInvoice(lines: number, big: boolean, peppol = false): Invoice {
  const invoice = generateInvoice(base, lines);
  const xml = peppol ? toPeppolBis3(invoice) : invoice;
  const file = join(outDir, `invoice-${lines}${peppol ? '-peppol' : ''}.xml`);
  writeFileSync(file, xml);
  const bytes = Buffer.byteLength(xml);
  return { label: big ? `~${BIG_MB} MB` : `${lines} lines`, lines, bytes, file, big };
}

const sizes = [...LINES].sort((a, b) => a - b);
const bigLines = BIG_MB > 0 ? linesForSize(base, BIG_MB * MB) : undefined;
const invoices = [...sizes.map((n) => writeInvoice(n, false)), ...(bigLines ? [writeInvoice(bigLines, true)] : [])];

// --- the checks -----------------------------------------------------------------------------------------------
interface Check {
  readonly name: string;
  readonly engine: string;
  readonly invoices: readonly Invoice[];
  /** `warmup`: the invoice itself, or for the big one the largest ordinary one (a warm-up run of the big one would take as long as a measured one). */
  run(invoice: Invoice, warmup: Invoice): Promise<RunResult>;
}

/** A check run by validation-run.js in a Node process of its own. */
function inNode(check: string) {
  return (invoice: Invoice, warmup: Invoice, warmups: number) =>
    child(process.execPath, [join(import.meta.dirname, 'validation-run.js'), check, warmup.file, ...plan(invoice, warmups), invoice.file]);
}

function plan(invoice: Invoice, warmups: number): string[] {
  return invoice.big ? [String(warmups), String(BIG_REPEAT), '0'] : [String(warmups), String(REPEAT), String(MIN_SECONDS)];
}

function child(command: string, argv: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${argv.join(' ')} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as RunResult);
      } catch (error) {
        reject(new Error(`${command} ${argv.join(' ')} printed no result: ${out}`, { cause: error }));
      }
    });
  });
}

const xsd = inNode('xsd');
const siUbl = inNode('rules:si-ubl-2.0');
const checks: Check[] = [
  { name: 'XSD UBL 2.1', engine: 'libxml2-wasm', invoices, run: (i, w) => xsd(i, i.big ? i : w, i.big ? 1 : 5) },
  { name: 'rules si-ubl-2.0', engine: 'SaxonJS 2.7', invoices, run: (i, w) => siUbl(i, w, i.big ? 2 : 3) },
];

if (args.peppol) {
  // Not the big one: peppol-bis3-ubl grows with the square of the lines under SaxonJS (15 s of CPU at 1,000 lines,
  // 57 s at 2,000), so one run of ~8,400 lines would take about a quarter of an hour.
  const peppolInvoices = invoices.filter((i) => !i.big).map((i) => writeInvoice(i.lines, i.big, true));
  const peppol = inNode('rules:peppol-cen-ubl+peppol-bis3-ubl');
  checks.push({ name: 'rules peppol-cen-ubl + peppol-bis3-ubl', engine: 'SaxonJS 2.7', invoices: peppolInvoices, run: (i, w) => peppol(i, w, i.big ? 2 : 3) });
}

let javaVersion: string | undefined;
if (args.java) {
  const saxon = await prepareSaxonHe(ROOT).catch((error: unknown) => {
    console.error(`[bench] --java: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
  javaVersion = saxon.javaVersion;
  const entry = ruleSetEntry('si-ubl-2.0');
  const xslt = standardsFile(join(entry.jar, entry.xslt), standards);
  checks.push({
    name: 'rules si-ubl-2.0',
    engine: `Saxon-HE ${SAXON_HE_VERSION} (Java ${saxon.javaVersion})`,
    invoices,
    run: (i, w) => child('java', ['-cp', saxon.classpath, 'RulesBench', xslt, w.file, ...plan(i, i.big ? 2 : 3), i.file]),
  });
}

// --- measuring ------------------------------------------------------------------------------------------------
interface Row {
  readonly check: Check;
  readonly invoice: Invoice;
  readonly result: RunResult;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const cpuPerDoc = (r: RunResult): number => r.cpuMs / r.runsMs.length;
const fmtMs = (ms: number): string => (ms >= 100 ? Math.round(ms).toLocaleString('en-US') : ms.toFixed(ms >= 10 ? 1 : 2));
const fmtRate = (perSecond: number): string => (perSecond >= 10 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(perSecond >= 1 ? 1 : 3));
const fmtBytes = (bytes: number): string => (bytes >= MB ? `${(bytes / MB).toFixed(2)} MB` : `${(bytes / 1000).toFixed(1)} kB`);

const startLoad = loadavg();
const started = new Date();
console.error(`[bench] invoices in ${outDir}: ${invoices.map((i) => `${i.lines} lines ${fmtBytes(i.bytes)}`).join(', ')}`);
const rows: Row[] = [];
for (const check of checks) {
  for (const invoice of check.invoices) {
    console.error(`[bench] ${check.name} (${check.engine}), ${invoice.label} …`);
    const warmup = invoice.big ? (check.invoices.filter((i) => !i.big).at(-1) ?? invoice) : invoice;
    const result = await check.run(invoice, warmup);
    rows.push({ check, invoice, result });
    console.error(`[bench]   median ${fmtMs(median(result.runsMs))} ms, CPU ${fmtMs(cpuPerDoc(result))} ms/doc, ${result.errors} errors, ${result.warnings} warnings`);
  }
}
const endLoad = loadavg();

// --- the report -----------------------------------------------------------------------------------------------
const cpuModel = cpus()[0]?.model.trim() ?? 'unknown';
console.log(`Validation benchmark, ${started.toISOString()}; base invoice ${BASE_INVOICE.split('/').at(-1)}`);
console.log(`machine: ${availableParallelism()} cores, ${Math.round((totalmem() / 2 ** 30) * 10) / 10} GiB, ${cpuModel}; Node ${process.version}${javaVersion ? `; Java ${javaVersion}` : ''}`);
console.log(`load average (1 min) at start ${startLoad[0]?.toFixed(2)}, at end ${endLoad[0]?.toFixed(2)}: other work on the machine shows in the times`);
console.log(`runs: ≥ ${REPEAT} per invoice and ≥ ${MIN_SECONDS} s${bigLines ? ` (the ~${BIG_MB} MB one: ${BIG_REPEAT})` : ''}, after warm-up; one process per check and invoice`);
console.log('');
console.log('| check | engine | invoice | size | median ms | min–max ms | CPU ms/doc | docs/s per core | peak RSS | runs | errors / warnings |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { check, invoice, result: r } of rows) {
  const cpu = cpuPerDoc(r);
  console.log(`| ${check.name} | ${check.engine} | ${invoice.label} | ${fmtBytes(invoice.bytes)} | ${fmtMs(median(r.runsMs))} | ${fmtMs(Math.min(...r.runsMs))}–${fmtMs(Math.max(...r.runsMs))} | ${fmtMs(cpu)} | ${fmtRate(1000 / cpu)} | ${Math.round(r.peakRssKb / 1024)} MB | ${r.runsMs.length} | ${r.errors} / ${r.warnings} |`);
}

const saxonJs = rows.filter((r) => r.check.name === 'rules si-ubl-2.0' && r.check.engine.startsWith('SaxonJS'));
const java = rows.filter((r) => r.check.engine.startsWith('Saxon-HE'));
if (java.length > 0) {
  console.log('');
  console.log('| rules si-ubl-2.0 | SaxonJS median ms | Saxon-HE median ms | ratio (time) | SaxonJS CPU ms/doc | Saxon-HE CPU ms/doc | ratio (CPU) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const js of saxonJs) {
    const jv = java.find((r) => r.invoice.file === js.invoice.file);
    if (!jv) continue;
    const [a, b] = [median(js.result.runsMs), median(jv.result.runsMs)];
    const [ca, cb] = [cpuPerDoc(js.result), cpuPerDoc(jv.result)];
    console.log(`| ${js.invoice.label} | ${fmtMs(a)} | ${fmtMs(b)} | ${(a / b).toFixed(1)}× | ${fmtMs(ca)} | ${fmtMs(cb)} | ${(ca / cb).toFixed(1)}× |`);
  }
}

const failing = rows.filter((r) => r.result.errors > 0);
if (failing.length > 0) {
  console.log('');
  for (const { check, invoice, result } of failing) console.log(`INVALID: ${check.name} (${check.engine}) found ${result.errors} errors in ${invoice.file}: the figures measure an error path`);
}
console.log(JSON.stringify({
  benchmark: 'validation',
  started: started.toISOString(),
  cores: availableParallelism(),
  cpu: cpuModel,
  node: process.version,
  java: javaVersion,
  loadAverage: { start: startLoad[0], end: endLoad[0] },
  rows: rows.map(({ check, invoice, result }) => ({
    check: check.name,
    engine: check.engine,
    lines: invoice.lines,
    bytes: invoice.bytes,
    medianMs: median(result.runsMs),
    cpuMsPerDoc: cpuPerDoc(result),
    docsPerSecondPerCore: 1000 / cpuPerDoc(result),
    runs: result.runsMs.length,
    minMs: Math.min(...result.runsMs),
    maxMs: Math.max(...result.runsMs),
    cpuMs: result.cpuMs,
    setupMs: result.setupMs,
    peakRssKb: result.peakRssKb,
    errors: result.errors,
    warnings: result.warnings,
  })),
}));
process.exitCode = failing.length > 0 ? 1 : 0;
