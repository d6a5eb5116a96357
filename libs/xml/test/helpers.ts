import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { XmlError, type XmlErrorCode } from '../src/index.js';

/** The monorepo root (tests run from libs/xml/dist/test/). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const schemasDir = `${repoRoot}config/schemas`;
/** The official artefacts scripts/bootstrap.sh fetches (libs/standards), among them the UBL 2.1 driver schema. */
export const standardsDir = process.env.POORT_STANDARDS_DIR ?? `${repoRoot}.cache/standards`;

export function assertXmlError(fn: () => unknown, code: XmlErrorCode): XmlError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof XmlError, `expected XmlError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}
