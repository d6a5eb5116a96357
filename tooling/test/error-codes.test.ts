// Checks that every error code written in the sources belongs to the one vocabulary (libs/contracts/src/refusal.ts):
// a Digipoort foutcode (ALS100, STS100, …), a generic WUS code (0001–0011), or Poort's own AREA_REASON. The checker
// is checked too: planted codes in the old styles must be reported.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = process.env.POORT_ROOT ?? path.join(import.meta.dirname, '../../..');

const DIGIPOORT_FOUTCODE = /^[A-Z]{3}\d{3}$/;
const WUS_CODE = /^\d{4}$/;
/** Keep in step with POORT_CODE_STYLE in libs/contracts/src/refusal.ts. */
const POORT_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** Where a source file writes a code: a `code` field or property, a Refusal, an HTTP error, a coded error's constructor. */
const CODE_SITES: readonly RegExp[] = [
  /\bcode\s*[:=]\s*'([^'`]+)'/g,
  /new Refusal\(\s*'([^']+)'/g,
  /httpError\(\s*\d+\s*,\s*'([^']+)'/g,
  /new (?:ClientIdentity|WsSecurity|Xml|Transform|Catalog)Error\(\s*'([^']+)'/g,
];

export interface CodeFinding {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

function isInVocabulary(code: string): boolean {
  return DIGIPOORT_FOUTCODE.test(code) || WUS_CODE.test(code) || POORT_CODE.test(code);
}

/** Codes that are not ours: Node's error codes (ENOENT, …) and the issue code of a zod refinement. */
const NOT_OURS = (code: string) => /^E[A-Z]+$/.test(code) || code === 'custom';

/** Every code written in `text` that is Poort's. */
export function codesIn(file: string, text: string): CodeFinding[] {
  const findings: CodeFinding[] = [];
  for (const pattern of CODE_SITES) {
    for (const match of text.matchAll(pattern)) {
      const code = match[1]!;
      if (!NOT_OURS(code)) findings.push({ file, line: text.slice(0, match.index).split('\n').length, code });
    }
  }
  return findings;
}

const foreignCodes = (file: string, text: string): CodeFinding[] => codesIn(file, text).filter((finding) => !isInVocabulary(finding.code));

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  for (const group of ['libs', 'services']) {
    for (const pkg of fs.readdirSync(path.join(ROOT, group))) {
      const src = path.join(ROOT, group, pkg, 'src');
      if (fs.existsSync(src)) walk(src);
    }
  }
  return files;
}

describe('error codes: one vocabulary', () => {
  it('every code written in libs and services is a Digipoort code, a WUS code or AREA_REASON', () => {
    const files = sourceFiles();
    assert.ok(files.length > 100, `found only ${files.length} source files under ${ROOT}`);
    const codes = files.flatMap((file) => codesIn(path.relative(ROOT, file), fs.readFileSync(file, 'utf8')));
    assert.ok(codes.length > 50, `only ${codes.length} codes found: the code sites above no longer match the sources`);
    assert.deepEqual(codes.filter((finding) => !isInVocabulary(finding.code)), []);
  });

  it('reports codes planted in the other styles, and passes the good ones', () => {
    const planted = [
      "readonly code = 'PAYLOAD.TOO_LARGE';",
      "throw httpError(404, 'ARCHIVE.NOT_FOUND', 'x');",
      "throw new Refusal('notFound', 'not-found', 'x');",
      "return { code: 'HTTP.400', message };",
      "new ClientIdentityError('certMissing', 'x');",
      "readonly code = 'PAYLOAD_TOO_LARGE'; new Refusal('ALS100', 'invalid', 'x'); clientFault('0002', 'x'); code === 'ENOENT';",
    ].join('\n');
    assert.deepEqual(
      foreignCodes('planted.ts', planted).map((finding) => `${finding.line}:${finding.code}`),
      ['1:PAYLOAD.TOO_LARGE', '4:HTTP.400', '3:notFound', '2:ARCHIVE.NOT_FOUND', '5:certMissing'],
    );
  });
});
