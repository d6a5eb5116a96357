#!/usr/bin/env node
// JSON schemas that kubeconform can use offline and strictly (scripts/k8s/static-tools.sh runs this):
//   node scripts/k8s/schemas.mjs kubernetes <kubernetes-validate schema dir> <out dir>
//     Each <kind>-<group>-<version>.json of kubernetes-validate refers to a shared _definitions.json, which kubeconform
//     cannot follow; each is written standalone, with the definitions it reaches copied into its own $defs.
//   node scripts/k8s/schemas.mjs crds <out dir> <crd.yaml>...
//     <out>/<group>/<kind>_<version>.json for every version of every CRD, strict: an object that lists its
//     properties gets additionalProperties false unless it preserves unknown fields (as the API server prunes them).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { parseAllDocuments } = createRequire(new URL('../../deploy/package.json', import.meta.url))('yaml');

const [command, ...args] = process.argv.slice(2);
if (command === 'kubernetes' && args.length === 2) kubernetesSchemas(args[0], args[1]);
else if (command === 'crds' && args.length >= 2) crdSchemas(args[0], args.slice(1));
else {
  console.error('usage: schemas.mjs kubernetes <schema dir> <out dir> | crds <out dir> <crd.yaml>...');
  process.exit(64);
}

function kubernetesSchemas(sourceDir, outDir) {
  const definitions = JSON.parse(readFileSync(join(sourceDir, '_definitions.json'), 'utf8')).$defs;
  const shared = /^\/api\/_definitions\.json#\/\$defs\//;
  const local = (node) => rewriteRefs(node, (ref) => ref.replace(shared, '#/$defs/'));
  mkdirSync(outDir, { recursive: true });
  let count = 0;
  for (const file of readdirSync(sourceDir)) {
    if (!file.endsWith('.json') || file === '_definitions.json' || file === 'all.json') continue;
    const schema = local(JSON.parse(readFileSync(join(sourceDir, file), 'utf8')));
    const reached = {};
    const visit = (node) =>
      forEachRef(node, (ref) => {
        const name = ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
        if (name === undefined || name in reached) return;
        if (!(name in definitions)) throw new Error(`${file}: no definition ${name}`);
        reached[name] = local(definitions[name]);
        visit(reached[name]);
      });
    visit(schema);
    delete schema.$id;
    writeFileSync(join(outDir, file), JSON.stringify({ ...schema, $defs: reached }));
    count += 1;
  }
  console.error(`[k8s] ${count} standalone Kubernetes schemas in ${outDir}`);
}

function crdSchemas(outDir, files) {
  let count = 0;
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = document.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const { group, names } = crd.spec;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) throw new Error(`${file}: ${names.kind} ${version.name} has no schema`);
        mkdirSync(join(outDir, group), { recursive: true });
        const path = join(outDir, group, `${names.kind.toLowerCase()}_${version.name}.json`);
        writeFileSync(path, JSON.stringify(strict(schema)));
        count += 1;
      }
    }
  }
  console.error(`[k8s] ${count} CRD schemas in ${outDir}`);
}

/**
 * The OpenAPI schema of a CRD as JSON schema with the API server's strictness. Branches of anyOf/oneOf/allOf/not
 * stay as they are: in a structural schema they only constrain what the properties beside them declare.
 */
function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, strict(schema)]));
    else if (['anyOf', 'oneOf', 'allOf', 'not'].includes(key)) out[key] = value;
    else out[key] = strict(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out['x-kubernetes-int-or-string'] && !out.anyOf && !out.oneOf) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

function rewriteRefs(node, rewrite) {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, rewrite));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? rewrite(value) : rewriteRefs(value, rewrite)]));
}

function forEachRef(node, visit) {
  if (Array.isArray(node)) node.forEach((item) => forEachRef(item, visit));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') visit(value);
      else forEachRef(value, visit);
    }
  }
}
