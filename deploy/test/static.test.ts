// Tier 1 of the deployment tests: the chart and k8s/ checked without a cluster. helm lint --strict and helm template
// for every values file, strict schema validation (Kubernetes 1.36, Strimzi, CloudNativePG, Prometheus Operator,
// KEDA) of everything rendered and of k8s/, the restricted Pod Security Standard, and the chart's own invariants.
// Each check is shown to catch what it is for by planting a fault.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { ALL_TOPICS, deadLetterTopic } from '@poort/contracts';

import {
  CHART_DIR,
  K8S_DIR,
  ROOT,
  chartCases,
  configValuesFile,
  ensureStaticTools,
  kubeconform,
  lintChart,
  parseObjects,
  podSpecOf,
  renderChart,
  restrictedViolations,
  toYamlStream,
  valuesFile,
  type ChartCase,
  type K8sObject,
} from '../src/index.js';

const SERVICES = ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'];

const k8sFiles = (dir = K8S_DIR): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => join(entry.parentPath, entry.name));

/** The services callers connect to: they drain connections before they stop. */
const EDGE = new Set(['ingress', 'notification', 'archive', 'delivery', 'routing']);

const byKind = (objects: readonly K8sObject[], kind: string): K8sObject[] => objects.filter((object) => object.kind === kind);

interface ContainerShape {
  readonly name: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly startupProbe?: unknown;
  readonly livenessProbe?: unknown;
  readonly readinessProbe?: unknown;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
  readonly [key: string]: unknown;
}

const containersOf = (object: K8sObject): ContainerShape[] => (podSpecOf(object)?.containers ?? []) as unknown as ContainerShape[];

describe('the deployment, statically', () => {
  let cases: ChartCase[];
  const texts = new Map<string, string>();
  const rendered = new Map<string, K8sObject[]>();

  before(() => {
    ensureStaticTools();
    cases = chartCases();
    for (const chartCase of cases) {
      texts.set(chartCase.name, renderChart({ valuesFiles: chartCase.valuesFiles }));
      rendered.set(chartCase.name, parseObjects(texts.get(chartCase.name)!));
    }
  });

  it('lints strictly with every values file', () => {
    for (const chartCase of cases) assert.equal(lintChart(chartCase.valuesFiles), '', `helm lint --strict (${chartCase.name})`);
  });

  it('renders only objects valid against the Kubernetes and CRD schemas, strictly', () => {
    for (const chartCase of cases) assert.deepEqual(kubeconform([], texts.get(chartCase.name)), [], `kubeconform (${chartCase.name})`);
  });

  it('k8s/ is valid against the Kubernetes, Strimzi and CloudNativePG schemas, strictly', () => {
    const files = k8sFiles();
    assert.ok(files.length >= 4, 'k8s/ has its manifests');
    assert.deepEqual(kubeconform(files), []);
  });

  it('the schema validation catches an unknown field, in the chart and in a custom resource', () => {
    const deployment = byKind(rendered.get('values.yaml')!, 'Deployment')[0]!;
    const planted = structuredClone(deployment) as K8sObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    planted.spec.template.spec.containers[0]!.imagePullSecret = 'typo';
    assert.match(kubeconform([], toYamlStream([planted])).map((problem) => problem.msg).join('\n'), /imagePullSecret/);
    const topic = parseObjects(readFileSync(join(K8S_DIR, 'kafka/topics.yaml'), 'utf8'))[0]!;
    const badTopic = { ...topic, spec: { ...topic.spec, replica: 3 } };
    assert.match(kubeconform([], toYamlStream([badTopic])).map((problem) => problem.msg).join('\n'), /replica/);
    assert.equal(kubeconform([], toYamlStream([{ apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'x' } }])).length, 1, 'a kind without a schema is an error');
  });

  it('the values schema refuses an unknown value', () => {
    assert.match(lintChart([valuesFile('typo.yaml', { services: { ingress: { replica: 3 } } })]), /replica/);
    assert.match(lintChart([valuesFile('too-many.yaml', { services: { routing: { replicas: 13 } } })]), /replicas/);
  });

  it('every pod passes the restricted Pod Security Standard with a read-only root filesystem', () => {
    for (const chartCase of cases) {
      const pods = rendered.get(chartCase.name)!.filter((object) => podSpecOf(object));
      assert.ok(pods.length >= 10, `${chartCase.name}: 8 Deployments, the migration Job and the test Pod`);
      assert.deepEqual(pods.flatMap(restrictedViolations), [], chartCase.name);
    }
  });

  it('the Pod Security check catches a violation', () => {
    const job = byKind(rendered.get('values.yaml')!, 'Job')[0]!;
    const planted = structuredClone(job) as K8sObject & { spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } } };
    planted.spec.template.spec.containers[0]!.securityContext.allowPrivilegeEscalation = true;
    assert.deepEqual(restrictedViolations(planted), [`Job/${job.metadata.name} container migration: allowPrivilegeEscalation is not false`]);
  });

  it('runs each service as its own Deployment, account and Service, with probes, /tmp and no API token', () => {
    for (const chartCase of cases) {
      const objects = rendered.get(chartCase.name)!;
      for (const service of SERVICES) {
        const name = `poort-${service}`;
        const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === name);
        assert.ok(deployment, `${chartCase.name}: Deployment ${name}`);
        const pod = podSpecOf(deployment)! as unknown as { serviceAccountName: string; automountServiceAccountToken: boolean };
        assert.equal(pod.serviceAccountName, name);
        assert.equal(pod.automountServiceAccountToken, false);
        const [container] = containersOf(deployment);
        assert.deepEqual(container!.args, [`services/${service}/dist/src/main.js`]);
        assert.ok(container!.startupProbe && container!.livenessProbe && container!.readinessProbe, `${name}: probes`);
        assert.ok(container!.volumeMounts?.some((mount) => mount.mountPath === '/tmp'), `${name}: /tmp`);
        assert.equal(container!.env?.find((variable) => variable.name === 'HOST')?.value, '0.0.0.0');
        const preStop = (container!.lifecycle as { preStop?: { sleep?: { seconds: number } } } | undefined)?.preStop;
        if (EDGE.has(service)) assert.ok((preStop?.sleep?.seconds ?? 0) > 0, `${name}: serves on after SIGTERM until the Service has let it go`);
        else assert.equal(preStop, undefined, `${name}: a consumer has no connections to drain`);
        assert.ok(objects.some((object) => object.kind === 'ServiceAccount' && object.metadata.name === name));
        assert.ok(objects.some((object) => object.kind === 'Service' && object.metadata.name === name));
      }
    }
  });

  it('leaves replicas to the autoscaler when there is one', () => {
    const objects = rendered.get('every option, CPU autoscaling')!;
    assert.equal(byKind(objects, 'HorizontalPodAutoscaler').length, 8);
    for (const deployment of byKind(objects, 'Deployment')) assert.equal(deployment.spec!.replicas, undefined, deployment.metadata.name);
    const production = rendered.get('values-production.yaml')!;
    const scaled = new Set([...byKind(production, 'ScaledObject'), ...byKind(production, 'HorizontalPodAutoscaler')].map((object) => object.metadata.name));
    for (const deployment of byKind(production, 'Deployment')) assert.equal(deployment.spec!.replicas === undefined, scaled.has(deployment.metadata.name));
  });

  it('mounts the config tree the services read, from config/ as made by config-values.mjs', () => {
    const objects = rendered.get('config/ as a ConfigMap')!;
    const [configMap] = byKind(objects, 'ConfigMap');
    const data = (configMap as unknown as { data: Record<string, string> }).data;
    assert.equal(data['recipients.yaml'], readFileSync(join(ROOT, 'config/recipients.yaml'), 'utf8'));
    const routing = objects.find((object) => object.metadata.name === 'poort-routing' && object.kind === 'Deployment')!;
    const volume = (podSpecOf(routing)!.volumes ?? []).find((entry) => entry.name === 'config') as { configMap: { items: { key: string; path: string }[] } };
    assert.ok(volume.configMap.items.some((item) => item.path === 'schemas/ubl-invoice/maindoc/UBL-Invoice-2.1.xsd'));
    assert.equal(containersOf(routing)[0]!.env?.find((variable) => variable.name === 'POORT_CONFIG_DIR')?.value, '/etc/poort/config');
    assert.match(readFileSync(configValuesFile(), 'utf8'), /^config:\n {2}files:\n/m);
  });

  it('denies by default and opens only what the services need', () => {
    const objects = rendered.get('values.yaml')!;
    const policies = byKind(objects, 'NetworkPolicy');
    const deny = policies.find((policy) => policy.metadata.name === 'poort-default-deny')!;
    assert.deepEqual(deny.spec, { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'poort', 'app.kubernetes.io/instance': 'poort' } }, policyTypes: ['Ingress', 'Egress'] });
    const egressPorts = (name: string) =>
      ((policies.find((policy) => policy.metadata.name === `poort-${name}`)!.spec!.egress as { ports: { port: number }[] }[]) ?? []).flatMap((rule) => rule.ports.map((port) => port.port));
    assert.deepEqual(egressPorts('routing'), [9093, 5432]);
    assert.deepEqual(egressPorts('delivery'), [9093, 5432, 443], 'only delivery reaches recipients');
    assert.throws(() => renderChart({ valuesFiles: [valuesFile('open-proxy.yaml', { clientIdentity: { mode: 'proxy-header' } })] }), /edgeFrom must name the proxy/);
  });

  it('alerts only on metrics the services export', () => {
    const [rule] = byKind(rendered.get('values-production.yaml')!, 'PrometheusRule');
    const expressions = JSON.stringify(rule!.spec);
    const used = new Set([...expressions.matchAll(/\b(poort_[a-z_]+?)(?:_bucket)?\{/g)].map((match) => match[1]!));
    assert.ok(used.size >= 5, [...used].join(', '));
    const sources = [join(ROOT, 'libs/observability/src/metrics.ts'), join(ROOT, 'services/delivery/src/delivery/delivery.metrics.ts')].map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const metric of used) assert.ok(sources.includes(`name: '${metric}'`), `${metric} is a metric of a service`);
  });

  it('k8s/ has a KafkaTopic for every topic and dead-letter topic, and a KafkaUser for every service', () => {
    const objects = k8sFiles().flatMap((file) => parseObjects(readFileSync(file, 'utf8')));
    const topics = byKind(objects, 'KafkaTopic');
    assert.deepEqual(topics.map((topic) => topic.metadata.name).sort(), ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]).sort());
    const maxReplicas = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')).$defs.serviceBase.properties.replicas.maximum as number;
    for (const topic of topics) {
      assert.equal(topic.spec!.partitions, maxReplicas, `${topic.metadata.name}: a partition per replica the chart allows`);
      assert.equal(topic.spec!.replicas, 3);
      assert.equal((topic.spec!.config as Record<string, unknown>)['min.insync.replicas'], 2);
    }
    const users = new Set(byKind(objects, 'KafkaUser').map((user) => user.metadata.name));
    for (const service of SERVICES) assert.ok(users.has(`poort-${service}`), `KafkaUser poort-${service} (the chart's kafka.tls.userSecretPrefix)`);
    for (const namespace of byKind(objects, 'Namespace')) assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });
});
