// Tier 3 of the deployment tests: the chart on a real node. The images are built here and imported; the chain runs
// as two replicas of every service against the Kafka and Postgres of scripts/infra on the host; `helm test` submits
// through the deployed ingress over mutual TLS. Then, while a steady stream of messages flows: an upgrade to a new
// image tag (every pod replaced, rolling), a pod of each service force-deleted, and a rollback. Afterwards every
// accepted message must have exactly one final status and every recipient each of its messages exactly once.
// POORT_SKIP_CLUSTER=1 skips it (and tier 2), for quick local runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { ChaosLoad, chaosOutcome, summaryLine, type ChaosTarget } from '@poort/e2e';
import { ScratchDatabase, freePortBlock, requiredEnv, waitFor, type TestRecipient } from '@poort/testing';

import { CHART_DIR, KUBECTL, LOCAL_RECIPIENTS, LOCAL_SERVICES, chainPods, clusterIp, helm, mustRun, prepareLocalChain, timedHelm } from '../src/index.js';

const SKIP = process.env.POORT_SKIP_CLUSTER === '1' ? 'POORT_SKIP_CLUSTER=1 skips the cluster tiers' : false;
const NAMESPACE = 'poort';
const RELEASE = 'poort';
const [FIRST_TAG, NEXT_TAG] = [`node-${randomBytes(3).toString('hex')}`, `node-${randomBytes(3).toString('hex')}`] as const;
/** Messages per second of the steady stream: what two cores carry beside sixteen pods being replaced. */
const RATE = 4;

// Longer than the test runner's default: images, an install and two rollouts of sixteen pods on two cores.
const PATIENCE = { timeout: 1_200_000 };

describe('the deployment on a real node', { skip: SKIP, ...PATIENCE }, () => {
  let database: ScratchDatabase;
  let recipients: ReadonlyMap<string, TestRecipient>;
  let valuesFiles: readonly string[];
  let target: ChaosTarget;

  before(async () => {
    // Unmigrated: the chart's migration hook makes the schema.
    database = await ScratchDatabase.create(requiredEnv('DATABASE_URL'), 'k8s_node', { migrated: false });
    const chain = await prepareLocalChain({
      namespace: NAMESPACE,
      tags: [FIRST_TAG, NEXT_TAG],
      databaseUrl: database.url,
      kafkaPort: Number(requiredEnv('KAFKA_PORT')),
      replicas: 2,
      recipientPort: await freePortBlock(LOCAL_RECIPIENTS.length, 20_000, 30_000),
    });
    recipients = chain.recipients;
    valuesFiles = chain.valuesFiles;
    helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait']);
    target = {
      pki: chain.pki,
      db: database.pool,
      recipient: (id) => recipients.get(id) ?? assert.fail(`no recipient ${id}`),
      ingressUrls: () => [`https://${clusterIp(NAMESPACE, `${RELEASE}-ingress`)}:443`],
      ingressServername: `${RELEASE}-ingress.${NAMESPACE}.svc`,
    };
  }, PATIENCE);

  after(async () => {
    if (SKIP) return;
    helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait']);
    await Promise.all([...(recipients?.values() ?? [])].map((recipient) => recipient.stop()));
    await database?.drop();
  });

  it('installs with two replicas of every service (the migration hook first), and helm test delivers a message over mutual TLS', PATIENCE, async () => {
    const installMs = await timedHelm(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...valuesFiles.flatMap((file) => ['-f', file]), '--wait', '--timeout', '8m']);
    const pods = await chainPods(NAMESPACE, RELEASE);
    for (const service of LOCAL_SERVICES) assert.equal(pods.filter((pod) => pod.service === service && pod.ready).length, 2, `${service}: two ready replicas`);
    const testMs = await timedHelm(['test', RELEASE, '--namespace', NAMESPACE, '--logs', '--timeout', '5m']);
    console.log(`[node] helm install --wait ${(installMs / 1000).toFixed(1)} s, helm test ${(testMs / 1000).toFixed(1)} s`);
  });

  it('a rolling upgrade, a pod of each service force-deleted and a rollback lose no accepted message and deliver none twice', PATIENCE, async () => {
    // ministerie-fin receives only invoices addressed to it (its CII route names an identiteitOntvanger); the load has none.
    const load = new ChaosLoad(target, { berichtsoort: 'e-factuur', recipients: LOCAL_RECIPIENTS.filter((id) => id !== 'ministerie-fin') });
    let operationsDone = false;
    const stream = load.run(100_000, RATE, { until: () => operationsDone });
    const images = async () => new Set((await chainPods(NAMESPACE, RELEASE)).filter((pod) => !pod.deleting).map((pod) => pod.image));
    try {
      await sleep(10_000);
      const upgradeMs = await timedHelm(['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--reuse-values', '--set', `image.tag=${NEXT_TAG}`, '--wait', '--timeout', '10m']);
      await waitFor('every pod on the new image', async () => ((await images()).size === 1 && (await images()).has(`poort:${NEXT_TAG}`) ? true : undefined), 120_000, 1_000);

      for (const service of LOCAL_SERVICES) {
        const victim = (await chainPods(NAMESPACE, RELEASE)).find((pod) => pod.service === service && !pod.deleting);
        assert.ok(victim, `a pod of ${service}`);
        mustRun(KUBECTL, ['delete', 'pod', victim.name, '--namespace', NAMESPACE, '--force', '--grace-period=0', '--wait=false']);
      }
      await waitFor('two ready replicas of every service again', async () => {
        const pods = (await chainPods(NAMESPACE, RELEASE)).filter((pod) => pod.ready && !pod.deleting);
        return LOCAL_SERVICES.every((service) => pods.filter((pod) => pod.service === service).length === 2) ? true : undefined;
      }, 300_000, 1_000);

      const rollbackMs = await timedHelm(['rollback', RELEASE, '1', '--namespace', NAMESPACE, '--wait', '--timeout', '10m']);
      await waitFor('every pod back on the first image', async () => ((await images()).size === 1 && (await images()).has(`poort:${FIRST_TAG}`) ? true : undefined), 120_000, 1_000);
      await sleep(10_000);
      console.log(`[node] helm upgrade --wait ${(upgradeMs / 1000).toFixed(1)} s, helm rollback --wait ${(rollbackMs / 1000).toFixed(1)} s`);
    } finally {
      operationsDone = true;
      await stream;
      await load.close();
    }
    const outcome = await chaosOutcome(target, load, { patienceMs: 300_000 });
    console.log(summaryLine('rolling upgrade, force-deleted pods, rollback (Kubernetes)', outcome));
    assert.ok(outcome.accepted >= RATE * 30, `a steady stream flowed throughout (${outcome.accepted} accepted)`);
    assert.deepEqual(load.unanswered, [], 'every submission got a receipt in the end');
    assert.deepEqual(outcome.lost, [], 'lost');
    assert.deepEqual(outcome.duplicated, [], 'duplicated');
    assert.deepEqual(outcome.outOfOrder, [], 'out of order');
    assert.equal(outcome.final, outcome.accepted);
  });
});
