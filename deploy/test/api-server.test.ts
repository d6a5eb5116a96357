// Tier 2 of the deployment tests: a real Kubernetes API server (scripts/k8s/cluster.sh) with the CRDs of Strimzi,
// CloudNativePG, the Barman Cloud plugin, the Prometheus Operator and KEDA installed. Every object the chart renders
// (hooks and tests included) and every manifest of k8s/ passes a strict server-side dry run in namespaces labelled
// restricted, with no Pod Security warning; then a real `helm install` succeeds and `helm uninstall` removes it all.
// POORT_SKIP_CLUSTER=1 skips it (it needs the Kubernetes binaries that cluster.sh builds once).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CHART_DIR,
  CRD_DIR,
  HELM,
  K8S_DIR,
  KUBECTL,
  chartCases,
  ensureCluster,
  ensureStaticTools,
  helm,
  kubectl,
  mustRun,
  parseObjects,
  renderChart,
  toYamlStream,
  type ChartCase,
  type K8sObject,
} from '../src/index.js';

const skip = process.env.POORT_SKIP_CLUSTER === '1' ? 'POORT_SKIP_CLUSTER=1' : false;
const NAMESPACE = 'poort-tier2';
const RELEASE = 'poort-tier2';
const RESTRICTED = ['enforce', 'warn', 'audit'].map((mode) => `pod-security.kubernetes.io/${mode}=restricted`);

interface DryRun {
  readonly ok: boolean;
  readonly output: string;
  /** The Pod Security warnings the API server gave (a Deployment is admitted with them; its pods would not be). */
  readonly podSecurityWarnings: string[];
}

/** A strict server-side dry run of YAML objects (server-side apply: the API server knows every field). */
function dryRun(yaml: string, namespace?: string): DryRun {
  const result = kubectl(
    ['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=poort-tier2', ...(namespace ? ['-n', namespace] : []), '-f', '-'],
    { input: yaml },
  );
  const output = `${result.stdout}${result.stderr}`;
  return { ok: result.status === 0, output, podSecurityWarnings: result.stderr.split('\n').filter((line) => /PodSecurity/.test(line)) };
}

function installCrds(): void {
  for (const dir of readdirSync(CRD_DIR)) mustRun(KUBECTL, ['apply', '--server-side', '--force-conflicts', '--field-manager=poort-tier2', '-f', join(CRD_DIR, dir)]);
  mustRun(KUBECTL, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
}

function restrictedNamespace(name: string): void {
  const exists = kubectl(['get', 'namespace', name]).status === 0;
  if (!exists) mustRun(KUBECTL, ['create', 'namespace', name]);
  mustRun(KUBECTL, ['label', '--overwrite', 'namespace', name, ...RESTRICTED]);
}

describe('the deployment on a real API server', { skip }, () => {
  let cases: ChartCase[];

  before(() => {
    ensureStaticTools();
    ensureCluster();
    installCrds();
    // The namespaces of k8s/ itself (the custom resources of k8s/ are dry-run in them).
    mustRun(KUBECTL, ['apply', '--server-side', '--field-manager=poort-tier2', '-f', join(K8S_DIR, 'namespaces.yaml')]);
    restrictedNamespace(NAMESPACE);
    cases = chartCases();
  });

  after(() => {
    if (skip) return;
    helm(['uninstall', RELEASE, '-n', NAMESPACE, '--ignore-not-found']);
    kubectl(['delete', 'namespace', NAMESPACE, '--wait=false', '--ignore-not-found']);
  });

  it('k8s/ passes a strict server-side dry run', () => {
    for (const dir of ['kafka', 'postgres']) {
      const result = kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=poort-tier2', '-f', join(K8S_DIR, dir)]);
      assert.equal(result.status, 0, `k8s/${dir}:\n${result.stderr}`);
      assert.equal(result.stderr.trim(), '', `k8s/${dir}: no warnings`);
    }
  });

  it('every object the chart renders passes a strict server-side dry run, with no Pod Security warning', () => {
    for (const chartCase of cases) {
      const objects = parseObjects(renderChart({ release: RELEASE, namespace: NAMESPACE, valuesFiles: chartCase.valuesFiles }));
      // A Pod is admitted only with an existing ServiceAccount, which a dry run does not make: these are made for real.
      const accounts = objects.filter((object) => object.kind === 'ServiceAccount');
      mustRun(KUBECTL, ['apply', '--server-side', '--field-manager=poort-tier2', '-n', NAMESPACE, '-f', '-'], { input: toYamlStream(accounts) });
      const result = dryRun(toYamlStream(objects), NAMESPACE);
      assert.ok(result.ok, `${chartCase.name}:\n${result.output}`);
      assert.deepEqual(result.podSecurityWarnings, [], chartCase.name);
    }
    mustRun(KUBECTL, ['delete', 'serviceaccounts', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]);
  });

  it('the dry run catches an unknown field and a Pod Security violation', () => {
    const objects = parseObjects(renderChart({ release: RELEASE, namespace: NAMESPACE }));
    const deployment = structuredClone(objects.find((object) => object.kind === 'Deployment')!) as K8sObject & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    container.imagePullSecret = 'typo';
    const refused = dryRun(toYamlStream([deployment]), NAMESPACE);
    assert.ok(!refused.ok, 'an unknown field is refused');
    assert.match(refused.output, /imagePullSecret: field not declared in schema/);
    delete container.imagePullSecret;
    (container.securityContext as Record<string, unknown>).allowPrivilegeEscalation = true;
    const warned = dryRun(toYamlStream([deployment]), NAMESPACE);
    assert.ok(warned.ok, 'a Deployment is admitted with a warning');
    assert.match(warned.podSecurityWarnings.join('\n'), /allowPrivilegeEscalation/);
  });

  it('helm install succeeds and helm uninstall removes what it made', () => {
    const everything = cases.find((chartCase) => chartCase.name.startsWith('every option'))!;
    const values = everything.valuesFiles.flatMap((file) => ['-f', file]);
    // Without hooks: the migration Job would wait for an image this tier does not build (tier 3 runs it).
    const install = helm(['install', RELEASE, CHART_DIR, '-n', NAMESPACE, '--no-hooks', '--set', 'image.pullPolicy=Never', ...values]);
    assert.equal(install.status, 0, install.stderr);
    const status = JSON.parse(mustRun(HELM, ['status', RELEASE, '-n', NAMESPACE, '-o', 'json'])) as { info: { status: string } };
    assert.equal(status.info.status, 'deployed');
    const kinds = 'deployments,services,serviceaccounts,configmaps,networkpolicies,poddisruptionbudgets,horizontalpodautoscalers,servicemonitors,prometheusrules';
    const made = () => mustRun(KUBECTL, ['get', kinds, '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']).split('\n').filter(Boolean);
    assert.equal(made().filter((name) => name.startsWith('deployment')).length, 8);
    const uninstall = helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '120s']);
    assert.equal(uninstall.status, 0, uninstall.stderr);
    assert.deepEqual(made(), []);
  });
});
