#!/usr/bin/env node
// Fetches the official standards artefacts named in ../artefacts.json from Maven Central into .cache/standards
// (pinned versions, SHA-256 checked), unpacks what Poort uses, writes the UBL 2.1 driver schema and compiles every
// rule set's XSLT to SaxonJS's SEF format. Idempotent: a second run only checks the stamps.
// Usage: node libs/standards/scripts/fetch-standards.mjs [--out DIR]   (default: <repo>/.cache/standards)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const lib = resolve(here, '..');
const manifest = JSON.parse(readFileSync(join(lib, 'artefacts.json'), 'utf8'));
const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag > 0 ? process.argv[outFlag + 1] : process.env.POORT_STANDARDS_DIR ?? join(lib, '../../.cache/standards'));

const log = (message) => process.stderr.write(`\u001b[1;34m[standards]\u001b[0m ${message}\n`);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function jarUrl(coordinates) {
  const [group, artifact, version, classifier] = coordinates.split(':');
  const file = `${artifact}-${version}${classifier ? `-${classifier}` : ''}.jar`;
  return { url: `${manifest.repository}/${group.replaceAll('.', '/')}/${artifact}/${version}/${file}`, file };
}

async function fetchJar(key, { coordinates, sha256: expected, extract }) {
  const dir = join(out, key);
  const stamp = join(dir, '.poort-stamp');
  const unpacked = `${expected} ${extract.join(' ')}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === unpacked) return;
  const { url, file } = jarUrl(coordinates);
  const jar = join(out, 'jars', file);
  mkdirSync(dirname(jar), { recursive: true });
  if (!existsSync(jar) || sha256(readFileSync(jar)) !== expected) {
    log(`fetching ${coordinates}`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const actual = sha256(bytes);
    if (actual !== expected) throw new Error(`${coordinates}: SHA-256 ${actual}, pinned ${expected}`);
    writeFileSync(`${jar}.part`, bytes);
    renameSync(`${jar}.part`, jar);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const patterns = extract.map((path) => (path.endsWith('/') ? `${path}*` : path));
  await run('unzip', ['-q', '-o', jar, ...patterns, '-d', dir], { maxBuffer: 16 << 20 });
  writeFileSync(stamp, unpacked);
}

// libxml2-wasm has no XML catalogs: four UBL imports lack a schemaLocation, so this driver imports their namespaces
// first, then the Invoice and CreditNote schemas. One compiled schema validates both document types.
function writeUblDriver() {
  const imports = [
    ['http://www.w3.org/2000/09/xmldsig#', 'xmldsig/schemas/xmldsig-core-schema.xsd'],
    ['http://uri.etsi.org/01903/v1.3.2#', 'xades132/schemas/XAdES01903v132-201601.xsd'],
    ['http://uri.etsi.org/01903/v1.4.1#', 'xades141/schemas/XAdES01903v141-201601.xsd'],
    ['urn:un:unece:uncefact:data:specification:CoreComponentTypeSchemaModule:2', 'ccts/schemas/CCTS_CCT_SchemaModule.xsd'],
    ['urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', 'ubl21/external/schemas/ubl21/maindoc/UBL-Invoice-2.1.xsd'],
    ['urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2', 'ubl21/external/schemas/ubl21/maindoc/UBL-CreditNote-2.1.xsd'],
  ];
  const schema = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Written by libs/standards/scripts/fetch-standards.mjs: the official OASIS UBL 2.1 Invoice and CreditNote schemas. -->',
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:poort:standards:ubl-2.1" elementFormDefault="qualified">',
    ...imports.map(([namespace, location]) => `  <xs:import namespace="${namespace}" schemaLocation="${location}"/>`),
    '</xs:schema>',
    '',
  ].join('\n');
  const path = join(out, 'ubl-2.1.xsd');
  if (!existsSync(path) || readFileSync(path, 'utf8') !== schema) writeFileSync(path, schema);
}

/** The SEF of a rule set is valid for exactly one XSLT and one compiler version. */
function sefStamp(ruleSet, xslt3Version) {
  return `${sha256(readFileSync(join(out, ruleSet.jar, ruleSet.xslt)))} xslt3@${xslt3Version}`;
}

async function compileRuleSet(name, ruleSet, xslt3Version) {
  const sef = join(out, 'sef', `${name}.sef.json`);
  const stamp = `${sef}.stamp`;
  const expected = sefStamp(ruleSet, xslt3Version);
  if (existsSync(sef) && existsSync(stamp) && readFileSync(stamp, 'utf8') === expected) return;
  log(`compiling ${name} (${ruleSet.title}) to SEF: about a minute`);
  mkdirSync(dirname(sef), { recursive: true });
  const started = Date.now();
  await run(process.execPath, ['--max-old-space-size=2048', xslt3Bin(), `-xsl:${join(out, ruleSet.jar, ruleSet.xslt)}`, `-export:${sef}.part`, '-nogo', '-relocate:on'], {
    maxBuffer: 64 << 20,
  });
  renameSync(`${sef}.part`, sef);
  writeFileSync(stamp, expected);
  log(`compiled ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function xslt3Bin() {
  return join(lib, 'node_modules/xslt3/xslt3.js');
}

async function inParallel(tasks, width) {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  }));
}

mkdirSync(out, { recursive: true });
await inParallel(Object.entries(manifest.jars).map(([key, jar]) => () => fetchJar(key, jar)), 4);
writeUblDriver();
const xslt3Version = JSON.parse(readFileSync(join(lib, 'node_modules/xslt3/package.json'), 'utf8')).version;
// Each compilation takes ~600 MB and a core.
await inParallel(
  Object.entries(manifest.ruleSets).map(([name, ruleSet]) => () => compileRuleSet(name, ruleSet, xslt3Version)),
  Math.max(1, Math.min(2, availableParallelism())),
);
log(`ready in ${out}`);
