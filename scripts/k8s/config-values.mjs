#!/usr/bin/env node
// A values file for helm/poort holding a Poort configuration directory (message types, recipients, schemas):
//   node scripts/k8s/config-values.mjs config/ > my-config.values.yaml
//   helm install poort helm/poort -f my-config.values.yaml ...
// Every file under the directory becomes config.files.<relative path>; the chart turns them into a ConfigMap and
// mounts it as the same tree at POORT_CONFIG_DIR. Text files only (a ConfigMap holds at most 1 MiB in all).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

const { stringify } = createRequire(new URL('../../deploy/package.json', import.meta.url))('yaml');

const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: config-values.mjs <config dir>');
  process.exit(64);
}

const files = {};
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path);
  const content = text.toString('utf8');
  if (!Buffer.from(content, 'utf8').equals(text)) throw new Error(`${path} is not UTF-8 text: a ConfigMap of the chart holds text only`);
  files[relative(dir, path).split(sep).join('/')] = content;
}
const sorted = Object.fromEntries(Object.keys(files).sort().map((key) => [key, files[key]]));
const size = Object.values(sorted).reduce((total, content) => total + Buffer.byteLength(content), 0);
if (size > 900 * 1024) throw new Error(`${dir} holds ${size} bytes: more than a ConfigMap takes (1 MiB with its keys)`);
process.stdout.write(`# Made by scripts/k8s/config-values.mjs from ${dir}: the Poort configuration for helm/poort.\n`);
process.stdout.write(stringify({ config: { files: sorted } }, { lineWidth: 0 }));
