import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The test taxonomy's sources and instances (libs/testing/fixtures/xbrl-test-taxonomy), under a checkout. */
export const xbrlTestTaxonomyDir = (root: string): string => join(root, 'libs/testing/fixtures/xbrl-test-taxonomy');

/**
 * The instances made for the test taxonomy: one valid filing, one with each XBRL error, and one that breaks the
 * taxonomy's two business rules (formula value assertions, one with a message of its own).
 */
export const XBRL_TEST_FILINGS = ['valid', 'undefined-context', 'wrong-period-type', 'calculation-inconsistency', 'negative-tax-owed'] as const;
export type XbrlTestFiling = (typeof XBRL_TEST_FILINGS)[number];

/** The entry point of the test taxonomy, which the instances' schemaRef names. */
export const XBRL_TEST_ENTRY_POINT = 'http://taxonomie.poort.test/ptv/2026/ptv-rpt-aangifte.xsd';

export const xbrlTestFiling = (root: string, name: XbrlTestFiling): string => join(xbrlTestTaxonomyDir(root), 'samples', `${name}.xbrl`);

/**
 * The test taxonomy as the operator would supply a taxonomy package: a zip (XBRL Taxonomy Packages 1.0) with one
 * top-level folder holding META-INF/taxonomyPackage.xml and META-INF/catalog.xml. Zipped by Python's zipfile, which
 * is on every machine that runs Arelle. Returns the zip's path (in `dir`, or a fresh temporary directory).
 */
export function buildXbrlTestTaxonomyPackage(root: string, dir: string = mkdtempSync(join(tmpdir(), 'poort-taxonomy-'))): string {
  mkdirSync(dir, { recursive: true });
  const zip = join(dir, 'poort-test-vat.zip');
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, 'poort-test-vat'], { cwd: xbrlTestTaxonomyDir(root), stdio: ['ignore', 'ignore', 'pipe'] });
  return zip;
}
