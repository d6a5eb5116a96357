import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import type { ValidationVerdict } from '../src/validation/message-validator.js';
import { STANDARDS, configWithRuleTypes, validatorFor } from './rules-fixture.js';

type Expected = 'ok' | 'warning' | 'error';

const SI_UBL = join(STANDARDS, 'tests-simplerinvoicing/external/test-files/simplerinvoicing');
const EN16931_UBL = join(STANDARDS, 'tests-en16931/external/test-files/1.3.16/ubl');

/** The test files' README: `SI-UBL-2.0[_rule_|-]<ok|warn|error>[_description].xml`. */
function verdictInName(file: string): Expected {
  const match = /[_-](ok|warn|warning|error)(?=[_.])/.exec(file);
  if (!match) throw new Error(`${file}: no expected verdict in the name`);
  return match[1] === 'warn' ? 'warning' : (match[1] as Expected);
}

function observed(verdict: ValidationVerdict): Expected {
  if (verdict.kind === 'valid') return verdict.warnings.length > 0 ? 'warning' : 'ok';
  return 'error';
}

interface Case {
  readonly name: string;
  readonly berichtsoort: string;
  readonly content: Buffer;
  readonly expected: Expected;
  /** Why the expectation is not the file name's. */
  readonly note?: string;
  /** The one rule the file must fail. */
  readonly rule?: string;
}

/**
 * SI-UBL 2.0.3's BR-NL-31 sample has two payment means of different codes (58 and 30), which UBL-SR-47 (in the EN
 * 16931 rules of SI-UBL 2.0.3.12, not yet in those of 2.0.3) forbids; SI-UBL 2.0.3.2 ships the file corrected
 * (both 58), and that one is a warning as named.
 */
const BROKEN_BY_A_LATER_RULE: Readonly<Record<string, string>> = {
  'SI-UBL-2.0.3/SI-UBL-2.0_BR-NL-31_warning_branchid.xml': 'UBL-SR-47',
};

/**
 * Every SI-UBL 2.0.3.x file. Four files of SI-UBL 2.0.3 are named `_warning_` (UBL-SR-09, -11, -15, -17: a second
 * seller or buyer legal name or company id); the same files, byte for byte, are `_error_` in SI-UBL 2.0.3.2, since
 * EN 16931 made those rules fatal. The rules that run are SI-UBL 2.0.3.12, so the newer verdict is expected.
 */
function siUblCases(): Case[] {
  const newer = new Map(readdirSync(join(SI_UBL, 'SI-UBL-2.0.3.2')).map((file) => [file, readFileSync(join(SI_UBL, 'SI-UBL-2.0.3.2', file))]));
  const cases: Case[] = [];
  for (const release of ['SI-UBL-2.0.3', 'SI-UBL-2.0.3.2']) {
    for (const file of readdirSync(join(SI_UBL, release)).filter((name) => name.endsWith('.xml')).sort()) {
      const content = readFileSync(join(SI_UBL, release, file));
      const named = verdictInName(file);
      const renamed = release === 'SI-UBL-2.0.3' ? [...newer].find(([other, bytes]) => other !== file && bytes.equals(content) && other.replace(/_(ok|warning|error)_/, '_') === file.replace(/_(ok|warning|error)_/, '_')) : undefined;
      const name = `${release}/${file}`;
      const laterRule = BROKEN_BY_A_LATER_RULE[name];
      cases.push({
        name,
        berichtsoort: 'si-ubl',
        content,
        expected: laterRule ? 'error' : renamed ? verdictInName(renamed[0]) : named,
        ...(renamed ? { note: `named ${named}; ${renamed[0]} in SI-UBL-2.0.3.2` } : {}),
        ...(laterRule ? { note: `named ${named}; fails ${laterRule}, a rule of a later release (fixed in SI-UBL-2.0.3.2)`, rule: laterRule } : {}),
      });
    }
  }
  return cases;
}

/** Every EN 16931 1.3.16 UBL example: all of them valid. */
function en16931Cases(): Case[] {
  return readdirSync(EN16931_UBL)
    .filter((name) => /\.xml$/i.test(name))
    .sort()
    .map((file) => ({ name: `en16931-1.3.16/${file}`, berichtsoort: 'en16931-ubl', content: readFileSync(join(EN16931_UBL, file)), expected: 'ok' as const }));
}

describe('the official test files through the validation service\'s validator (XSD + rules)', () => {
  const configDir = configWithRuleTypes({ 'si-ubl': ['si-ubl-2.0'], 'en16931-ubl': ['en16931-ubl'] });
  const { validator, close } = validatorFor(configDir, { maxBytes: 64 * 1024 * 1024, timeLimitMs: 300_000 });
  after(close);

  test('every SI-UBL 2.0.3.x test file and every EN 16931 1.3.16 UBL example gets its expected verdict', async () => {
    const siUbl = siUblCases();
    const en16931 = en16931Cases();
    const cases = [...siUbl, ...en16931];
    const verdicts = await validator.validateAll(cases);
    const disagreements: string[] = [];
    const counts = new Map<string, number>();
    cases.forEach((item, index) => {
      const verdict = verdicts[index]!;
      const got = observed(verdict);
      const key = `${item.berichtsoort} ${item.expected}`;
      const onlyRule = item.rule === undefined || (verdict.kind === 'rules-invalid' && verdict.errors.every((error) => error.id === item.rule));
      if (got === item.expected && onlyRule) counts.set(key, (counts.get(key) ?? 0) + 1);
      else disagreements.push(`${item.name}: expected ${item.expected}, got ${got} ${JSON.stringify(verdict).slice(0, 400)}`);
    });
    const reclassified = siUbl.filter((item) => item.note);
    console.log(
      `official test files: ${cases.length} (SI-UBL 2.0.3.x: ${siUbl.length}, EN 16931 1.3.16 UBL: ${en16931.length}); agreed: ` +
        [...counts].map(([key, n]) => `${key} ${n}`).join(', ') +
        `; expected verdict other than the file name's: ${reclassified.map((item) => `${item.name} (${item.note})`).join('; ')}`,
    );
    assert.deepEqual(disagreements, []);
    assert.equal(siUbl.length, 189);
    assert.equal(en16931.length, 19);
    assert.equal(reclassified.length, 5);
  });
});
