// Tier 1 of the deployment tests: the chart and k8s/ checked without a cluster. helm lint --strict and helm template
// for every values file, strict schema validation (Kubernetes 1.36, Strimzi, CloudNativePG, Prometheus Operator,
// KEDA) of everything rendered and of k8s/, the restricted Pod Security Standard, and the chart's own invariants.
// Each check is shown to catch what it is for by planting a fault.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { parse } from 'yaml';

import { ALL_TOPICS, deadLetterTopic } from '@poort/contracts';
import { NODE_RUNTIME } from '@poort/testing';

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
/** The edge services callers outside the cluster reach: senders ingress and notification, recipients delivery and routing. */
const PUBLIC = ['ingress', 'routing', 'delivery', 'notification'];
const PROXY_HEADER = 'proxy-header behind an Ingress';

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

const named = (objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);

const envOf = (deployment: K8sObject): Map<string, string | undefined> =>
  new Map((containersOf(deployment)[0]!.env ?? []).map((variable) => [variable.name, variable.value]));

interface SecretVolume {
  readonly name: string;
  readonly secret?: { readonly secretName: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
}

interface PolicyRule {
  readonly from?: readonly unknown[];
  readonly to?: readonly unknown[];
  readonly ports?: readonly { readonly port: number | string; readonly endPort?: number }[];
}

const ingressRulesOf = (policy: K8sObject): PolicyRule[] => (policy.spec!.ingress ?? []) as PolicyRule[];

/** Rules that let in any pod or address at all: no `from`, or an empty one. */
const openToAnyone = (rules: readonly PolicyRule[]): PolicyRule[] => rules.filter((rule) => !rule.from || rule.from.length === 0);

interface IngressPath {
  readonly path: string;
  readonly backend: { readonly service: { readonly name: string; readonly port: { readonly name: string } } };
}

interface IngressShape {
  readonly spec: {
    readonly tls?: readonly { readonly hosts: readonly string[]; readonly secretName: string }[];
    readonly rules: readonly { readonly host: string; readonly http: { readonly paths: readonly IngressPath[] } }[];
  };
}

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
    assert.ok(volume.configMap.items.some((item) => item.path === 'schemas/xbrl-instance/xbrl-instance-2003-12-31.xsd'));
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

  it("gives delivery Poort's client certificate in both identity modes, and no other service", () => {
    const expectedSecret: Record<string, string> = {
      'values.yaml': 'poort-server-tls',
      'values-production.yaml': 'poort-delivery-client',
      [PROXY_HEADER]: 'poort-server-tls',
      'every option, CPU autoscaling': 'poort-delivery-client',
    };
    for (const [caseName, secretName] of Object.entries(expectedSecret)) {
      const objects = rendered.get(caseName)!;
      for (const service of SERVICES) {
        const deployment = named(objects, 'Deployment', `poort-${service}`)!;
        const env = envOf(deployment);
        const volume = (podSpecOf(deployment)!.volumes ?? []).find((entry) => entry.name === 'delivery-client') as SecretVolume | undefined;
        const mount = containersOf(deployment)[0]!.volumeMounts?.find((entry) => entry.name === 'delivery-client');
        if (service !== 'delivery') {
          assert.equal(volume ?? mount ?? env.get('DELIVERY_CLIENT_CERT_FILE') ?? env.get('DELIVERY_CLIENT_KEY_FILE'), undefined, `${caseName}: only delivery holds the client key (${service})`);
          continue;
        }
        assert.equal(volume?.secret?.secretName, secretName, `${caseName}: the Secret of delivery's client certificate`);
        assert.deepEqual(volume.secret.items?.map((item) => item.key).sort(), ['tls.crt', 'tls.key'], `${caseName}: a kubernetes.io/tls Secret`);
        assert.ok(mount, `${caseName}: mounted`);
        assert.equal(env.get('DELIVERY_CLIENT_CERT_FILE'), `${mount.mountPath}/tls.crt`, caseName);
        assert.equal(env.get('DELIVERY_CLIENT_KEY_FILE'), `${mount.mountPath}/tls.key`, caseName);
      }
    }
    // Without it delivery would have no certificate at all there: proxy-header mode mounts no server certificate.
    const proxied = envOf(named(rendered.get(PROXY_HEADER)!, 'Deployment', 'poort-delivery')!);
    assert.equal(proxied.get('CLIENT_IDENTITY_MODE'), 'proxy-header');
    assert.equal(proxied.get('TLS_CERT_FILE'), undefined);
    const withoutCertificate = {
      clientIdentity: { mode: 'proxy-header', serverTlsSecret: '', deliveryClientSecret: '' },
      networkPolicy: { edgeFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
    };
    assert.throws(
      () => renderChart({ valuesFiles: [valuesFile('no-client-certificate.yaml', withoutCertificate)] }),
      /clientIdentity.deliveryClientSecret \(or clientIdentity.serverTlsSecret\) is required/,
    );
  });

  it('makes an Ingress for each public service whose host is set, and for nothing else', () => {
    const ingressesOf = (objects: readonly K8sObject[]) => byKind(objects, 'Ingress') as unknown as (K8sObject & IngressShape)[];
    const hostsOf = (objects: readonly K8sObject[]) =>
      Object.fromEntries(ingressesOf(objects).map((ingress) => [ingress.metadata.name, ingress.spec.rules.map((rule) => rule.host)]));
    const expectedHosts = {
      [PROXY_HEADER]: { ingress: 'aanlever.example.nl', notification: 'status.example.nl', delivery: 'ontvang.example.nl', routing: 'abonnement.example.nl' },
      'values-production.yaml': {
        ingress: 'aanlever.poort.example.nl',
        notification: 'status.poort.example.nl',
        delivery: 'ontvang.poort.example.nl',
        routing: 'abonnement.poort.example.nl',
      },
    };
    for (const [caseName, hosts] of Object.entries(expectedHosts)) {
      const objects = rendered.get(caseName)!;
      const proxied = caseName === PROXY_HEADER;
      assert.deepEqual(hostsOf(objects), Object.fromEntries(PUBLIC.map((service) => [`poort-${service}`, [hosts[service as keyof typeof hosts]]])), caseName);
      for (const ingress of ingressesOf(objects)) {
        const [path] = ingress.spec.rules[0]!.http.paths;
        assert.equal(path!.path, '/', `${caseName}: ${ingress.metadata.name} passes every path (TLS passthrough cannot tell them apart)`);
        assert.equal(path!.backend.service.name, ingress.metadata.name, `${caseName}: ${ingress.metadata.name} sends to its own Service`);
        const service = named(objects, 'Service', ingress.metadata.name)! as unknown as { spec: { ports: { name: string }[] } };
        assert.equal(path!.backend.service.port.name, service.spec.ports[0]!.name, `${caseName}: ${ingress.metadata.name} names a port of its Service`);
        assert.equal(path!.backend.service.port.name, proxied ? 'http' : 'https', caseName);
        if (proxied) assert.deepEqual(ingress.spec.tls, [{ hosts: ingress.spec.rules.map((rule) => rule.host), secretName: 'poort-public-tls' }]);
        else assert.equal(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'], 'true', `${caseName}: TLS passes through to the pod`);
      }
    }
    assert.deepEqual(ingressesOf(rendered.get('values.yaml')!), [], 'ingress.enabled is off by default');
    const senderOnly = parseObjects(renderChart({ valuesFiles: [valuesFile('sender-hosts.yaml', { ingress: { enabled: true, hosts: { ingress: 'aanlever.example.nl' } } })] }));
    assert.deepEqual(hostsOf(senderOnly), { 'poort-ingress': ['aanlever.example.nl'] }, 'no host, no Ingress');
    assert.match(lintChart([valuesFile('archive-host.yaml', { ingress: { hosts: { archive: 'archief.example.nl' } } })]), /archive/, 'the archive has no public host');

    // The WSDL's soap:address, for those that serve WUS; routing serves none.
    const proxied = rendered.get(PROXY_HEADER)!;
    assert.equal(envOf(named(proxied, 'Deployment', 'poort-delivery')!).get('WUS_PUBLIC_URL'), 'https://ontvang.example.nl');
    assert.equal(envOf(named(proxied, 'Deployment', 'poort-routing')!).get('WUS_PUBLIC_URL'), undefined);
    assert.match(lintChart([valuesFile('routing-url.yaml', { services: { routing: { publicUrl: 'https://abonnement.example.nl' } } })]), /publicUrl/);

    const services = byKind(rendered.get('every option, CPU autoscaling')!, 'Service');
    for (const service of SERVICES) {
      const type = (named(services, 'Service', `poort-${service}`)!.spec as { type: string }).type;
      assert.equal(type, PUBLIC.includes(service) ? 'LoadBalancer' : 'ClusterIP', `service.edgeType is for the public services only (${service})`);
    }
  });

  it('lets only the proxy reach the edge services in proxy-header mode, and anyone in mtls mode', () => {
    const policyOf = (caseName: string, service: string) => named(rendered.get(caseName)!, 'NetworkPolicy', `poort-${service}`)!;
    const edgeFrom = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }];
    const smokeTest = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'poort', 'app.kubernetes.io/instance': 'poort', 'app.kubernetes.io/component': 'smoke-test' } } };
    for (const service of SERVICES) {
      const proxied = ingressRulesOf(policyOf(PROXY_HEADER, service));
      assert.deepEqual(openToAnyone(proxied), [], `proxy-header: nobody but the proxy may set the certificate header (${service})`);
      const peers = proxied.flatMap((rule) => rule.from ?? []);
      assert.equal(peers.some((peer) => JSON.stringify(peer) === JSON.stringify(edgeFrom[0])), EDGE.has(service), `proxy-header: the proxy reaches ${service} only if it is an edge service`);
      // The smoke test calls ingress and notification; recipients' services are not its business.
      assert.equal(peers.some((peer) => JSON.stringify(peer) === JSON.stringify(smokeTest)), ['ingress', 'notification'].includes(service), `smoke test -> ${service}`);
      const direct = ingressRulesOf(policyOf('values.yaml', service));
      assert.equal(openToAnyone(direct).length, EDGE.has(service) ? 1 : 0, `mtls: anyone reaches ${service} only if its certificate check decides`);
      for (const rule of [...proxied, ...direct]) assert.deepEqual(rule.ports, [{ port: 'http', protocol: 'TCP' }], `${service}: only its own port`);
    }
    // The check catches a policy that opens the proxy-header port to all.
    const planted = structuredClone(policyOf(PROXY_HEADER, 'delivery')) as K8sObject & { spec: { ingress: { from?: unknown[] }[] } };
    for (const rule of planted.spec.ingress) if (JSON.stringify(rule.from) === JSON.stringify(edgeFrom)) delete rule.from;
    assert.equal(openToAnyone(ingressRulesOf(planted)).length, 1);

    // Delivery, and nothing else, reaches the recipients, in both modes, where and on the ports the values name.
    const recipientsPathOf = (file: string) => (parse(readFileSync(join(CHART_DIR, file), 'utf8')) as { networkPolicy: { recipients: PolicyRule } }).networkPolicy.recipients;
    for (const [caseName, valuesFileName] of [['values.yaml', 'values.yaml'], [PROXY_HEADER, 'values.yaml'], ['values-production.yaml', 'values-production.yaml']] as const) {
      const recipientsPath = recipientsPathOf(valuesFileName);
      assert.deepEqual(recipientsPath.ports, [{ port: 443, protocol: 'TCP' }], `${valuesFileName}: https only`);
      for (const service of SERVICES) {
        const egress = (policyOf(caseName, service).spec!.egress ?? []) as PolicyRule[];
        const reaches = egress.some((rule) => JSON.stringify(rule) === JSON.stringify(recipientsPath));
        assert.equal(reaches, service === 'delivery', `${caseName}: ${service} -> recipients`);
        assert.ok(egress.every((rule) => rule.to && rule.to.length > 0), `${caseName}: every way out of ${service} names where to`);
      }
    }
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

  it('runs node in the image as the local chain runs it (flags and environment: NODE_RUNTIME)', () => {
    const image = JSON.parse(readFileSync(join(ROOT, 'scripts/k8s/image/image-config.json'), 'utf8')) as { Entrypoint: string[]; Env: string[] };
    assert.deepEqual(imageRuntimeDifferences(image), []);
    const planted = { ...image, Entrypoint: image.Entrypoint.slice(0, 1), Env: [] };
    assert.equal(imageRuntimeDifferences(planted).length, NODE_RUNTIME.flags.length + Object.keys(NODE_RUNTIME.env).length);
  });
});

/** What the image's node lacks of NODE_RUNTIME: each flag not in its Entrypoint, each variable not in its Env. */
function imageRuntimeDifferences(image: { Entrypoint: readonly string[]; Env: readonly string[] }): string[] {
  return [
    ...NODE_RUNTIME.flags.filter((flag) => !image.Entrypoint.includes(flag)).map((flag) => `Entrypoint lacks ${flag}`),
    ...Object.entries(NODE_RUNTIME.env).filter(([name, value]) => !image.Env.includes(`${name}=${value}`)).map(([name, value]) => `Env lacks ${name}=${value}`),
  ];
}
