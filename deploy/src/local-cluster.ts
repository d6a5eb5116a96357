import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { TestPki } from '@poort/pki';

import { ROOT } from './paths.js';
import { HELM, KUBECTL, kubectl, mustRun, mustRunAsync, runAsync } from './tools.js';

/** The host as pods of the local cluster see it (scripts/k8s/env.sh: POD_GATEWAY_IP). */
export const POD_GATEWAY_IP = '10.244.0.1';
export const CONTAINERD_ADDRESS = join(ROOT, '.local/k8s/containerd/containerd.sock');

const INFRA = join(ROOT, 'scripts/infra');

/**
 * Makes the host's Kafka and Postgres (scripts/infra) reachable from pods at the pod gateway: Kafka gets a listener
 * that binds and advertises it (a restart when the running broker has none), Postgres listens there too and takes
 * the role poort with a password made for this run. The loopback listeners stay as they were. Returns where pods
 * connect.
 */
export function exposeHostInfraToPods(kafkaPort: number): { kafkaBrokers: string; pgPassword: string } {
  const pgPassword = randomBytes(18).toString('base64url');
  const kafkaPodPort = kafkaPort + 2;
  mustRun('bash', [join(INFRA, 'postgres.sh'), 'start'], { env: { PG_POD_ADDRESS: POD_GATEWAY_IP, PG_POORT_PASSWORD: pgPassword } });
  const kafkaEnv = { KAFKA_POD_ADDRESS: POD_GATEWAY_IP, KAFKA_POD_PORT: String(kafkaPodPort) };
  const config = readFileSync(join(ROOT, '.local/kafka/server.properties'), 'utf8');
  if (!config.includes(`PODS://${POD_GATEWAY_IP}:${kafkaPodPort}`)) mustRun('bash', [join(INFRA, 'kafka.sh'), 'stop']);
  mustRun('bash', [join(INFRA, 'kafka.sh'), 'start'], { env: kafkaEnv, timeoutMs: 180_000 });
  mustRun('bash', [join(INFRA, 'kafka.sh'), 'wait'], { env: kafkaEnv, timeoutMs: 180_000 });
  return { kafkaBrokers: `${POD_GATEWAY_IP}:${kafkaPodPort}`, pgPassword };
}

/** Builds the Poort image under each tag (scripts/k8s/image.sh) and imports it into the node's containerd. */
export async function buildAndImportImages(tags: readonly string[]): Promise<void> {
  for (const tag of tags) {
    await mustRunAsync('bash', [join(ROOT, 'scripts/k8s/image.sh'), 'build', tag], { timeoutMs: 600_000 });
    await mustRunAsync('bash', [join(ROOT, 'scripts/k8s/image.sh'), 'import', tag], { env: { CONTAINERD_ADDRESS }, timeoutMs: 600_000 });
  }
}

/** A Secret made or replaced from contents (never from values files: secrets stay out of the chart). */
export function applySecret(namespace: string, name: string, data: Readonly<Record<string, string>>, type = 'Opaque'): void {
  const secret = { apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace }, stringData: data };
  mustRun(KUBECTL, ['apply', '-f', '-'], { input: JSON.stringify(secret) });
}

/** The Secrets the chart's values name, from the test PKI and the database URL pods use. */
export function applyChainSecrets(namespace: string, pki: TestPki, databaseUrl: string): void {
  const read = (path: string) => readFileSync(path, 'utf8');
  applySecret(namespace, 'poort-database', { DATABASE_URL: databaseUrl });
  applySecret(namespace, 'poort-server-tls', { 'tls.crt': read(pki.server.cert), 'tls.key': read(pki.server.key) }, 'kubernetes.io/tls');
  applySecret(namespace, 'poort-client-ca', { 'ca.crt': read(pki.caChain) });
  applySecret(namespace, 'poort-client-crl', { 'crl.pem': read(pki.crl) });
  const client = pki.clients['sender-a'];
  applySecret(namespace, 'poort-smoke-client', { 'ca.crt': read(pki.caChain), 'tls.crt': read(client.cert), 'tls.key': read(client.key) });
}

export interface PodView {
  readonly name: string;
  readonly service: string;
  readonly image: string;
  readonly ready: boolean;
  readonly deleting: boolean;
}

const SERVICES = ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'];

/** The chain's pods now (those of the release's Deployments, not its hooks or tests). */
export async function chainPods(namespace: string, release: string): Promise<PodView[]> {
  const selector = `app.kubernetes.io/instance=${release},app.kubernetes.io/component in (${SERVICES.join(',')})`;
  const out = await mustRunAsync(KUBECTL, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']);
  const list = JSON.parse(out) as {
    items: {
      metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
      spec: { containers: { image: string }[] };
      status: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((pod) => ({
    name: pod.metadata.name,
    service: pod.metadata.labels['app.kubernetes.io/component']!,
    image: pod.spec.containers[0]!.image,
    ready: pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    deleting: pod.metadata.deletionTimestamp !== undefined,
  }));
}

/** The ClusterIP of a Service (reachable from the host through kube-proxy's rules). */
export function clusterIp(namespace: string, service: string): string {
  const result = kubectl(['get', 'service', service, '-n', namespace, '-o', 'jsonpath={.spec.clusterIP}']);
  if (result.status !== 0 || !result.stdout) throw new Error(`no ClusterIP for service ${service}: ${result.stderr}`);
  return result.stdout;
}

/** helm with its own clock: how long the command took, for the closing figures. */
export async function timedHelm(args: readonly string[]): Promise<number> {
  const started = Date.now();
  const result = await runAsync(HELM, args, { timeoutMs: 900_000 });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} exited with ${result.status}\n${result.stderr}\n${result.stdout}`);
  return Date.now() - started;
}
