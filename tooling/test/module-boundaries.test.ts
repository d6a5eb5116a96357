// Checks the check: the module-boundary rules in .dependency-cruiser.cjs must pass on the real sources and fail on
// each kind of violation planted into a scratch copy of them. A boundary check that cannot fail proves nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = process.env.POORT_ROOT ?? path.join(import.meta.dirname, '../../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const ROOT_FILES = ['.dependency-cruiser.cjs', 'package.json', 'pnpm-workspace.yaml', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.depcruise.json'];
const RUN_TIMEOUT_MS = 30_000; // one depcruise run takes 1–3 s

let copy = '';

/** The packages depcruise looks at: libs/*, services/*, e2e, bench. */
function packageDirs(): string[] {
  const children = (dir: string) =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${dir}/${d.name}`);
  return [...children('libs'), ...children('services'), 'e2e', 'bench'];
}

/** A copy of the sources without any build output; installed packages stay reachable exactly as in the real tree. */
function makeCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poort-boundaries-'));
  for (const file of ROOT_FILES) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const pkg of packageDirs()) {
    // Per-package node_modules hold only pnpm's relative symlinks: copied verbatim they point into the copy (for
    // @poort/*) or into the root node_modules (for npm packages).
    fs.cpSync(path.join(ROOT, pkg), path.join(dir, pkg), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => path.basename(source) !== 'dist',
    });
  }
  return dir;
}

interface Run {
  status: number | null;
  output: string;
}

function depcruise(): Run {
  const result = spawnSync(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', 'services', 'libs', 'e2e', 'bench'], {
    cwd: copy,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes `content` to `file` in the copy (appending if `append`), runs depcruise, and restores the file. */
function withPlanted(file: string, content: string, opts: { append?: boolean } = {}): Run {
  const target = path.join(copy, file);
  const original = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  if (opts.append) assert.ok(original !== undefined, `${file} must exist in the copy to plant into it`);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, opts.append ? `${original}\n${content}\n` : content);
    return depcruise();
  } finally {
    if (original === undefined) fs.rmSync(target);
    else fs.writeFileSync(target, original);
  }
}

function assertViolation(run: Run, rule: string, from: string): void {
  assert.notEqual(run.status, 0, `depcruise should fail on the planted ${rule}; output:\n${run.output}`);
  assert.ok(run.output.includes(`${rule}: ${from}`), `expected "${rule}: ${from}" in the output:\n${run.output}`);
}

describe('module boundaries (.dependency-cruiser.cjs)', { timeout: 180_000 }, () => {
  before(() => {
    copy = makeCopy();
  });
  after(() => {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  it('passes on the unmodified sources, without any build output', () => {
    const run = depcruise();
    assert.equal(run.status, 0, `depcruise fails on the unmodified copy:\n${run.output}`);
    assert.match(run.output, /no dependency violations found/);
  });

  it('refuses a library import outside the allow-list', () => {
    const file = 'libs/contracts/src/planted-violation.ts';
    const run = withPlanted(file, "import '@poort/config';\nexport {};\n");
    assertViolation(run, 'contracts-imports-lib-outside-allow-list', file);
  });

  it('refuses a cycle between packages', () => {
    const file = 'libs/message-state/src/index.ts';
    const run = withPlanted(file, "import '@poort/pipeline';", { append: true });
    assertViolation(run, 'message-state-imports-lib-outside-allow-list', file);
    assert.match(run.output, /no-circular: libs\/message-state\/src\//);
  });

  it('refuses @nestjs/* in a library that is not a Nest adapter', () => {
    const file = 'libs/pipeline/src/planted-violation.ts';
    const run = withPlanted(file, "import { Injectable } from '@nestjs/common';\nexport const planted = Injectable;\n");
    assertViolation(run, 'nestjs-outside-adapters', file);
  });

  it('refuses a service importing another service', () => {
    const target = fs.readdirSync(path.join(copy, 'services/delivery/src')).find((f) => f.endsWith('.ts'));
    assert.ok(target, 'services/delivery/src has a module to import');
    const file = 'services/routing/src/planted-violation.ts';
    const run = withPlanted(file, `import '../../delivery/src/${target.replace(/\.ts$/, '.js')}';\nexport {};\n`);
    assertViolation(run, 'service-imports-other-service', file);
  });

  it('refuses a relative import across a package boundary', () => {
    // wus may import xml, so only the relative path is wrong here.
    const file = 'libs/wus/src/planted-violation.ts';
    const run = withPlanted(file, "import '../../xml/src/index.js';\nexport {};\n");
    assertViolation(run, 'relative-import-crosses-package', file);
  });

  it('refuses a library that is not in the allow-list', () => {
    const file = 'libs/planted-lib/src/index.ts';
    try {
      const run = withPlanted(file, "export * from '@poort/contracts';\n");
      assertViolation(run, 'lib-not-in-allow-list', file);
    } finally {
      fs.rmSync(path.join(copy, 'libs/planted-lib'), { recursive: true, force: true });
    }
  });

  it("refuses the test harness in a service's production code", () => {
    const file = 'services/routing/src/planted-violation.ts';
    const run = withPlanted(file, "import '@poort/testing';\nexport {};\n");
    assertViolation(run, 'service-src-imports-test-only-lib', file);
  });

  it('refuses to load an allow-list with a cycle between packages', () => {
    const file = '.dependency-cruiser.cjs';
    const config = fs.readFileSync(path.join(copy, file), 'utf8');
    const cyclic = config.replace(/^(\s*)contracts: \[\],/m, "$1contracts: ['pipeline'],");
    assert.notEqual(cyclic, config, 'the allow-list row "contracts: []," was not found to plant the cycle into');
    const run = withPlanted(file, cyclic);
    assert.notEqual(run.status, 0, `depcruise should refuse the cyclic allow-list; output:\n${run.output}`);
    assert.match(run.output, /allow-list has a cycle between packages \(contracts → pipeline → [^)]*contracts\)/);
  });
});
