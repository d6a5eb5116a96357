import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { resolveRuleSet } from '@poort/standards';

import { RulesPool } from '../src/rules/rules-pool.js';
import { ROOT, STANDARDS } from './rules-fixture.js';

const SI_UBL_2_0_3_2 = join(STANDARDS, 'tests-simplerinvoicing/external/test-files/simplerinvoicing/SI-UBL-2.0.3.2');
const invoice = readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml'));

/** The sample invoice with `lines` copies of its first invoice line: the rules take longer with every line. */
function invoiceWithLines(lines: number): Buffer {
  const text = invoice.toString('utf8');
  const start = text.indexOf('<cac:InvoiceLine>');
  const line = text.slice(start, text.indexOf('</cac:InvoiceLine>') + '</cac:InvoiceLine>'.length);
  return Buffer.from(text.replace(line, Array.from({ length: lines }, () => line).join('\n')));
}

describe('RulesPool: business rules in worker threads, within limits', () => {
  const siUbl = resolveRuleSet('si-ubl-2.0');
  const pool = new RulesPool({ threads: 1, limits: { maxBytes: 512 * 1024, timeLimitMs: 60_000 } });
  // A tighter time limit, still well above a cold thread's first small invoice (loading the SEF takes about a second).
  const impatient = new RulesPool({ threads: 1, limits: { maxBytes: 8 * 1024 * 1024, timeLimitMs: 4_000 } });
  after(() => Promise.all([pool.close(), impatient.close()]));

  test('the sample invoice meets the SI-UBL 2.0 rules without a warning', async () => {
    assert.deepEqual(await pool.evaluate([siUbl], invoice), { kind: 'report', errors: [], warnings: [] });
  });

  test('an exception in the rules\' XSLT (XPTY0004, an official error file) is a verdict, and the pool lives on', async () => {
    const content = readFileSync(join(SI_UBL_2_0_3_2, 'SI-UBL-2.0_UBL-SR-09_error_multiple_legalentity_registrationname.xml'));
    const verdict = await pool.evaluate([siUbl], content);
    assert.equal(verdict.kind, 'execution-error');
    assert.match(verdict.kind === 'execution-error' ? verdict.message : '', /XPTY0004/);
    assert.deepEqual(await pool.evaluate([siUbl], invoice), { kind: 'report', errors: [], warnings: [] });
  });

  test('a document over the size limit is not evaluated', async () => {
    const verdict = await pool.evaluate([siUbl], Buffer.alloc(512 * 1024 + 1, 0x20));
    assert.deepEqual(verdict, { kind: 'limit-exceeded', exceeded: { limit: 'size', bytes: 512 * 1024 + 1, maxBytes: 512 * 1024 } });
  });

  test('a long evaluation leaves the event loop free; over the time limit it is stopped (its thread replaced), and the next document is evaluated', async () => {
    // About 1.1 s per 100 lines warm: 2,000 lines take several times the limit of 4 s.
    const started = performance.now();
    // Meanwhile the event loop runs on: a 10 ms timer fires again and again (on the loop itself it would not fire once).
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const verdict = await impatient.evaluate([siUbl], invoiceWithLines(2_000));
    clearInterval(timer);
    const elapsed = performance.now() - started;
    assert.ok(ticks > 20, `the timer fired ${ticks} times in ${Math.round(elapsed)} ms`);
    assert.deepEqual(verdict, { kind: 'limit-exceeded', exceeded: { limit: 'time', ruleSet: 'si-ubl-2.0', timeLimitMs: 4_000 } });
    assert.ok(elapsed < 15_000, `stopped after ${Math.round(elapsed)} ms`);
    assert.deepEqual(await impatient.evaluate([siUbl], invoice), { kind: 'report', errors: [], warnings: [] });
  });

  test('no rule sets: nothing to evaluate', async () => {
    assert.deepEqual(await pool.evaluate([], Buffer.alloc(10 * 1024 * 1024)), { kind: 'report', errors: [], warnings: [] });
  });
});
