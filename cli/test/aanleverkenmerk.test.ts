import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CliError } from '../src/cli-error.js';
import { EXIT } from '../src/exit-codes.js';
import { MAX_RUN_LENGTH, checkRunName, deriveAanleverkenmerk } from '../src/aanleverkenmerk.js';

const SHA = 'a'.repeat(64);

test('the aanleverkenmerk is the run name and a digest, within the koppelvlak’s 40 characters', () => {
  const kenmerk = deriveAanleverkenmerk('x'.repeat(MAX_RUN_LENGTH), 'invoices/0001.xml', SHA);
  assert.ok(kenmerk.length <= 40, kenmerk);
  assert.match(kenmerk, /^x{15}-[0-9a-f]{24}$/);
});

test('the same run, path and content give the same aanleverkenmerk; any other of the three another', () => {
  const base = deriveAanleverkenmerk('run1', 'invoices/0001.xml', SHA);
  assert.equal(deriveAanleverkenmerk('run1', 'invoices/0001.xml', SHA), base);
  const others = [
    deriveAanleverkenmerk('run2', 'invoices/0001.xml', SHA),
    deriveAanleverkenmerk('run1', 'invoices/0002.xml', SHA),
    deriveAanleverkenmerk('run1', 'invoices/0001.xml', 'b'.repeat(64)),
  ];
  assert.equal(new Set([base, ...others]).size, 4);
});

test('500 copies of one file under other names are 500 distinct submissions', () => {
  const kenmerken = new Set(Array.from({ length: 500 }, (_, index) => deriveAanleverkenmerk('poort', `in/invoice-${index}.xml`, SHA)));
  assert.equal(kenmerken.size, 500);
});

test('a run name that would not fit, or is not plain, is a usage error', () => {
  assert.equal(checkRunName('batch-2026.12_a'), 'batch-2026.12_a');
  for (const bad of ['', 'x'.repeat(MAX_RUN_LENGTH + 1), '-leading', 'met spatie', 'ü']) {
    assert.throws(() => checkRunName(bad), (error: unknown) => error instanceof CliError && error.exitCode === EXIT.usage && error.code === 'USAGE_RUN_NAME', bad);
  }
});
