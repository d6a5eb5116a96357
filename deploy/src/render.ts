import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseAllDocuments, stringify } from 'yaml';

import { CHART_DIR, CONFIG_DIR, ROOT } from './paths.js';
import { helm, mustRun } from './tools.js';

/** A Kubernetes object as rendered: only what the checks read is typed. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** YAML 1.1 (what Kubernetes tools read): a string such as "on" stays quoted. */
export function toYamlStream(objects: readonly object[]): string {
  return objects.map((object) => stringify(object, { version: '1.1' })).join('---\n');
}

const scratch = mkdtempSync(join(tmpdir(), 'poort-deploy-'));

/** Writes values (or any YAML) to a scratch file and returns its path. */
export function valuesFile(name: string, values: object): string {
  const path = join(scratch, name);
  writeFileSync(path, stringify(values));
  return path;
}

/** The repository's config/ as a values file of the chart, made by scripts/k8s/config-values.mjs. */
export function configValuesFile(configDir = CONFIG_DIR): string {
  const path = join(scratch, 'config.values.yaml');
  writeFileSync(path, mustRun(process.execPath, [join(ROOT, 'scripts/k8s/config-values.mjs'), configDir]));
  return path;
}

export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
}

const valuesArgs = (files: readonly string[] = []): string[] => files.flatMap((file) => ['-f', file]);

/** `helm template` of the chart, hooks and tests included, as text. */
export function renderChart({ release = 'poort', namespace = 'poort', valuesFiles }: RenderOptions = {}): string {
  const result = helm(['template', release, CHART_DIR, '--namespace', namespace, '--kube-version', '1.36.0', ...valuesArgs(valuesFiles)]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

/** `helm lint --strict`: problems as helm reports them, or an empty string. */
export function lintChart(valuesFiles: readonly string[] = []): string {
  const result = helm(['lint', '--strict', CHART_DIR, ...valuesArgs(valuesFiles)]);
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`;
}
