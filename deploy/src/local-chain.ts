import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { generateTestPki, type TestPki } from '@poort/pki';
import { TestRecipient } from '@poort/testing';

import { POD_GATEWAY_IP, applyChainSecrets, buildAndImportImages, exposeHostInfraToPods } from './local-cluster.js';
import { K8S_DIR, ROOT } from './paths.js';
import { configValuesFile, valuesFile } from './render.js';
import { KUBECTL, ensureCluster, ensureStaticTools, mustRun } from './tools.js';

export const LOCAL_SERVICES = ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'] as const;
/** The recipients of config/recipients.yaml, served by this process on the pod gateway. */
export const LOCAL_RECIPIENTS = ['belastingdienst', 'ministerie-bzk', 'ministerie-fin'] as const;

export interface LocalChainOptions {
  readonly namespace: string;
  /** Image tags to build and import; the first is installed. */
  readonly tags: readonly string[];
  /** The database on the host's Postgres (a loopback URL): pods reach the same one at the pod gateway. */
  readonly databaseUrl: string;
  readonly kafkaPort: number;
  readonly replicas: number;
  /** The first of LOCAL_RECIPIENTS.length ports for the recipients. */
  readonly recipientPort: number;
  /** Prefix of topics and consumer groups (KAFKA_NAMESPACE), so that runs sharing the broker stay apart. */
  readonly topicPrefix?: string;
}

export interface LocalChain {
  readonly pki: TestPki;
  readonly recipients: ReadonlyMap<string, TestRecipient>;
  /** For helm install/upgrade, in this order: the config, then the local settings. */
  readonly valuesFiles: readonly string[];
}

/**
 * Everything the chart needs on the local cluster of scripts/k8s/cluster.sh, short of installing it: the cluster up,
 * the host's Kafka and Postgres reachable from pods, the images imported, a test PKI whose server certificate names
 * the namespace's Services, recipients on the pod gateway, the namespaces, the Secrets and the values.
 */
export async function prepareLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  ensureStaticTools();
  ensureCluster();
  const pods = exposeHostInfraToPods(options.kafkaPort);
  await buildAndImportImages(options.tags);
  const pki = await generateTestPki(join(ROOT, '.local/k8s/test-pki'), { ifMissing: true, serverDnsNames: [`*.${options.namespace}.svc`] });
  const recipients = new Map<string, TestRecipient>();
  for (const [index, id] of LOCAL_RECIPIENTS.entries()) {
    recipients.set(id, await new TestRecipient(options.recipientPort + index, 'accept', POD_GATEWAY_IP).start());
  }

  mustRun(KUBECTL, ['apply', '-f', join(K8S_DIR, 'namespaces.yaml')]);
  const podDatabaseUrl = new URL(options.databaseUrl);
  podDatabaseUrl.hostname = POD_GATEWAY_IP;
  podDatabaseUrl.password = pods.pgPassword;
  applyChainSecrets(options.namespace, pki, podDatabaseUrl.toString());

  const pgPort = Number(podDatabaseUrl.port);
  const hostOnly = (port: number, endPort?: number) => ({ to: [{ ipBlock: { cidr: `${POD_GATEWAY_IP}/32` } }], ports: [{ port, ...(endPort ? { endPort } : {}) }] });
  // Two cores carry sixteen pods only with small requests.
  const resources = { requests: { cpu: '10m', memory: '96Mi' }, limits: { memory: '512Mi' } };
  const local = {
    image: { repository: 'poort', tag: options.tags[0], pullPolicy: 'Never' },
    kafka: {
      brokers: [pods.kafkaBrokers],
      topicPrefix: options.topicPrefix ?? `k8s-${randomBytes(3).toString('hex')}.`,
      replicationFactor: 1,
      topicPartitions: 4,
      sessionTimeoutMs: 10_000,
    },
    env: {
      RECIPIENT_BELASTINGDIENST_URL: recipients.get('belastingdienst')!.url,
      RECIPIENT_MINISTERIE_BZK_URL: recipients.get('ministerie-bzk')!.url,
      RECIPIENT_MINISTERIE_FIN_URL: recipients.get('ministerie-fin')!.url,
    },
    networkPolicy: {
      kafka: hostOnly(Number(pods.kafkaBrokers.split(':')[1])),
      postgres: hostOnly(pgPort),
      recipients: hostOnly(options.recipientPort, options.recipientPort + LOCAL_RECIPIENTS.length - 1),
    },
    services: Object.fromEntries(LOCAL_SERVICES.map((service) => [service, { replicas: options.replicas, resources }])),
    tests: { clientSecret: 'poort-smoke-client' },
  };
  return { pki, recipients, valuesFiles: [configValuesFile(), valuesFile('local-cluster.values.yaml', local)] };
}
