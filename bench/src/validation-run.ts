import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { CompiledRules, UBL_21_SCHEMA, resolveRuleSet, standardsDir } from '@poort/standards';
import { compileSchema, withXmlDocument } from '@poort/xml';

// One measurement of the validation benchmark, in a process of its own (started by validation.ts) so that its peak
// RSS is this check on this invoice only: set up (compile the XSD, or load the rule sets' SEF), warm up, then time
// each run and the process's CPU over all runs. Prints one JSON object (a RunResult).
//
// Usage: validation-run.js xsd|rules:<rule set>[+<rule set>…] WARMUP_FILE WARMUPS REPETITIONS MIN_SECONDS INVOICE
// Repetitions: at least REPETITIONS, and more until MIN_SECONDS have passed (for the quick checks' medians).

export interface RunResult {
  readonly setupMs: number;
  readonly runsMs: readonly number[];
  /** CPU (user + system, all threads of this process) over all timed runs. */
  readonly cpuMs: number;
  readonly errors: number;
  readonly warnings: number;
  /** Peak resident set of the process (getrusage ru_maxrss). */
  readonly peakRssKb: number;
  /** Resident set after set-up, before the first document. */
  readonly setupRssKb: number;
}

interface Check {
  (invoice: Buffer): { errors: number; warnings: number };
}

function xsdCheck(): Check {
  const dir = standardsDir();
  const schema = compileSchema(join(dir, UBL_21_SCHEMA), { root: dir });
  return (invoice) => {
    const result = withXmlDocument(invoice, (doc) => schema.validate(doc));
    return { errors: result.valid ? 0 : result.errors.length, warnings: 0 };
  };
}

function rulesCheck(names: readonly string[]): Check {
  const ruleSets = names.map((name) => new CompiledRules(resolveRuleSet(name)));
  return (invoice) => {
    // The validation service receives bytes: decoding them is part of the cost.
    const xml = invoice.toString('utf8');
    let errors = 0;
    let warnings = 0;
    for (const rules of ruleSets) {
      const report = rules.evaluate(xml);
      errors += report.errors.length;
      warnings += report.warnings.length;
    }
    return { errors, warnings };
  };
}

function main(argv: readonly string[]): RunResult {
  const [check, warmupFile, warmupsText, repetitionsText, minSecondsText, invoiceFile] = argv;
  if (!check || !warmupFile || !invoiceFile || !/^(xsd|rules:[\w.+-]+)$/.test(check)) {
    console.error('usage: validation-run.js xsd|rules:<rule set>[+<rule set>…] WARMUP_FILE WARMUPS REPETITIONS MIN_SECONDS INVOICE');
    process.exit(64);
  }
  const setupStart = performance.now();
  const run = check === 'xsd' ? xsdCheck() : rulesCheck(check.slice('rules:'.length).split('+'));
  const setupMs = performance.now() - setupStart;
  const setupRssKb = Math.round(process.memoryUsage.rss() / 1024);

  const warmup = readFileSync(warmupFile);
  const invoice = readFileSync(invoiceFile);
  for (let i = 0; i < Number(warmupsText); i += 1) run(warmup);

  const repetitions = Number(repetitionsText);
  const until = performance.now() + Number(minSecondsText) * 1000;
  const runsMs: number[] = [];
  let findings: { errors: number; warnings: number } | undefined;
  const cpuStart = process.cpuUsage();
  while (runsMs.length < repetitions || (performance.now() < until && runsMs.length < 1_000)) {
    const start = performance.now();
    const result = run(invoice);
    runsMs.push(performance.now() - start);
    findings ??= result;
    if (result.errors !== findings.errors || result.warnings !== findings.warnings) throw new Error('runs disagree');
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    setupMs,
    runsMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    errors: findings?.errors ?? 0,
    warnings: findings?.warnings ?? 0,
    peakRssKb: process.resourceUsage().maxRSS,
    setupRssKb,
  };
}

console.log(JSON.stringify(main(process.argv.slice(2))));
