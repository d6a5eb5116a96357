import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (deploy/dist/src/paths.js is three levels below it). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART_DIR = join(ROOT, 'helm/poort');
export const K8S_DIR = join(ROOT, 'k8s');
export const CONFIG_DIR = join(ROOT, 'config');

/** What scripts/k8s/static-tools.sh fetches and makes, in the git-ignored .cache/k8s/. */
export const K8S_CACHE = join(ROOT, '.cache/k8s');
export const K8S_BIN = join(K8S_CACHE, 'bin');
export const CRD_DIR = join(K8S_CACHE, 'crds');
export const SCHEMA_DIR = join(K8S_CACHE, 'schemas');

/** The admin kubeconfig of the cluster scripts/k8s/cluster.sh runs. */
export const KUBECONFIG = join(ROOT, '.local/k8s/kubeconfig');

/** The values files shipped with the chart: each is linted, rendered and validated. */
export const CHART_VALUES_FILES = ['values.yaml', 'values-production.yaml'].map((file) => join(CHART_DIR, file));
