import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { createPool } from '@poort/message-state';
import { requiredEnv } from '@poort/testing';

import { clusterIp } from './local-cluster.js';
import { LOCAL_RECIPIENTS, prepareLocalChain } from './local-chain.js';
import { CHART_DIR, ROOT } from './paths.js';
import { HELM, mustRunAsync, run } from './tools.js';

// The whole chain on the local cluster, for scripts/k8s/start.sh: Kafka and Postgres are already up on the host.
const NAMESPACE = 'poort';
const RELEASE = 'poort';
/** Its own database and topic prefix: scripts/start.sh's chain may run beside it on the same Postgres and Kafka. */
const DATABASE = 'poort_k8s';
const log = (message: string) => console.error(`[k8s] ${message}`);

const server = createPool(requiredEnv('DATABASE_URL'), 1);
const { rowCount } = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
if (rowCount === 0) await server.query(`CREATE DATABASE ${DATABASE}`);
await server.end();
const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
databaseUrl.pathname = `/${DATABASE}`;

const chain = await prepareLocalChain({
  namespace: NAMESPACE,
  tags: ['local'],
  databaseUrl: databaseUrl.toString(),
  kafkaPort: Number(requiredEnv('KAFKA_PORT')),
  replicas: Number(process.env.POORT_REPLICAS ?? 1),
  recipientPort: 9101,
  topicPrefix: 'k8s.',
});
log('installing helm/poort (the migration hook first, then every service ready)…');
await mustRunAsync(HELM, ['upgrade', '--install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...chain.valuesFiles.flatMap((file) => ['-f', file]), '--wait', '--timeout', '10m'], {
  timeoutMs: 900_000,
});

const rel = (path: string) => relative(process.cwd(), path) || '.';
const sample = join(ROOT, '.local/k8s/sample-aanlevering.json');
writeFileSync(
  sample,
  JSON.stringify({
    berichtsoort: 'e-factuur',
    aanleverkenmerk: `voorbeeld-${Date.now()}`,
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: { mimeType: 'application/xml', bestandsnaam: 'factuur.xml', inhoud: readFileSync(join(ROOT, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')).toString('base64') },
  }),
);
const sender = chain.pki.clients['sender-a'];
const host = (service: string) => `${RELEASE}-${service}.${NAMESPACE}.svc`;
// The host reaches Services by their ClusterIP; --resolve lets curl check the certificate against the Service's name.
const resolve = (service: string) => `--resolve ${host(service)}:443:${clusterIp(NAMESPACE, `${RELEASE}-${service}`)}`;
const tls = `--cert ${rel(sender.cert)} --key ${rel(sender.key)} --cacert ${rel(chain.pki.caChain)}`;
const recipient = chain.pki.clients['recipient-a'];
const recipientTls = `--cert ${rel(recipient.cert)} --key ${rel(recipient.key)} --cacert ${rel(chain.pki.caChain)}`;
console.log(`
Poort runs on the local Kubernetes cluster (namespace ${NAMESPACE}; KUBECONFIG=.local/k8s/kubeconfig, or . scripts/k8s/env.sh).
Submit (two-way TLS, test sender OIN ${sender.oin}):
  curl ${tls} ${resolve('ingress')} -H 'content-type: application/json' --data @${rel(sample)} https://${host('ingress')}/api/v1/aanleveren
Statuses of a kenmerk:
  curl ${tls} ${resolve('notification')} https://${host('notification')}/api/v1/processen/<kenmerk>/statussen
A recipient's subscriptions (test recipient OIN ${recipient.oin}):
  curl ${recipientTls} ${resolve('routing')} https://${host('routing')}/api/v1/subscriptions
Delivered: ${LOCAL_RECIPIENTS.map((id) => `curl ${chain.recipients.get(id)!.url.replace('/inbox', '/received')}`).join('   and   ')}
Pods: kubectl -n ${NAMESPACE} get pods     helm test: helm -n ${NAMESPACE} test ${RELEASE} --logs
Stop: Ctrl-C uninstalls the release and stops the recipients; scripts/k8s/cluster.sh down stops the cluster.
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('uninstalling the release…');
    run(HELM, ['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait']);
    process.exit(0);
  });
}
