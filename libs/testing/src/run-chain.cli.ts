import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { generateTestPki } from '@poort/pki';

import { Chain } from './chain.js';
import { TestRecipient } from './test-recipient.js';

// The whole chain on this machine, for scripts/start.sh: Kafka and Postgres are already up and migrated.
const root = resolve(process.env.POORT_ROOT ?? process.cwd());
const kafkaBrokers = required('KAFKA_BROKERS');
const databaseUrl = required('DATABASE_URL');
const local = join(root, '.local');

const pki = await generateTestPki(join(local, 'pki'), { ifMissing: true });
const recipients = [new TestRecipient(9101), new TestRecipient(9102), new TestRecipient(9103)];
await Promise.all(recipients.map((recipient) => recipient.start()));

const chain = new Chain({
  root,
  kafkaBrokers,
  databaseUrl,
  configDir: join(root, 'config'),
  pki: { serverCert: pki.server.cert, serverKey: pki.server.key, caChain: pki.caChain, crl: pki.crl },
  // The test operator reads every archived message; a sender reads only its own.
  operatorOins: [pki.clients.operator.oin],
  portBase: 8443,
  logDir: join(local, 'logs'),
});
await chain.start();

const sample = join(local, 'sample-aanlevering.json');
writeFileSync(
  sample,
  JSON.stringify({
    berichtsoort: 'e-factuur',
    aanleverkenmerk: 'voorbeeld-1',
    identiteitBelanghebbende: { nummer: '001000044B37', type: 'Fi' },
    rolBelanghebbende: 'Bedrijf',
    berichtInhoud: {
      mimeType: 'application/xml',
      bestandsnaam: 'factuur.xml',
      inhoud: readFileSync(join(root, 'config/schemas/ubl-invoice/samples/valid-invoice.xml')).toString('base64'),
    },
  }),
);
const sender = pki.clients['sender-a'];
const tls = `--cert ${rel(sender.cert)} --key ${rel(sender.key)} --cacert ${rel(pki.caChain)}`;
const operator = pki.clients.operator;
const operatorTls = `--cert ${rel(operator.cert)} --key ${rel(operator.key)} --cacert ${rel(pki.caChain)}`;
const recipient = pki.clients['recipient-b'];
const recipientTls = `--cert ${rel(recipient.cert)} --key ${rel(recipient.key)} --cacert ${rel(pki.caChain)}`;
const recipientA = pki.clients['recipient-a'];
const recipientATls = `--cert ${rel(recipientA.cert)} --key ${rel(recipientA.key)} --cacert ${rel(pki.caChain)}`;
console.log(`
Poort is running. Services: ${Object.entries(chain.ports).map(([name, port]) => `${name}:${port}`).join(' ')}
Submit (two-way TLS, test sender OIN ${sender.oin}):
  curl ${tls} -H 'content-type: application/json' --data @${rel(sample)} ${chain.url('ingress')}/api/v1/aanleveren
Statuses of a kenmerk:
  curl ${tls} ${chain.url('notification')}/api/v1/processen/<kenmerk>/statussen
Archive (two-way TLS; the test operator OIN ${operator.oin} reads every message, the sender's certificate only its own):
  curl ${operatorTls} ${chain.url('archive')}/archive/v1/messages/<kenmerk>
  curl ${tls} ${chain.url('archive')}/archive/v1/messages/<kenmerk>/content
Delivered:      curl http://127.0.0.1:9101/received   and   curl http://127.0.0.1:9102/received
                (an e-factuur with identiteitOntvanger 00000099000000000103 also reaches http://127.0.0.1:9103/received, as CII)
Subscriptions (two-way TLS; ministerie-bzk's certificate, OIN ${pki.clients['recipient-b'].oin}, subscribes it to a berichtsoort):
  curl ${recipientTls} -H 'content-type: application/json' --data '{"berichtsoort":"Omzetbelasting"}' ${chain.url('routing')}/api/v1/subscriptions
A recipient's own status for a message delivered to it (belastingdienst = recipient-a, OIN ${pki.clients['recipient-a'].oin}):
  curl ${recipientATls} -X PUT -H 'content-type: application/json' --data '{"statuscode":"500","tijdstempelStatus":"'$(date -u +%FT%TZ)'"}' ${chain.url('delivery')}/api/v1/berichten/<kenmerk>/ontvangerstatus
Health/metrics: curl --cacert ${rel(pki.caChain)} ${chain.url('routing')}/health/ready   curl --cacert ${rel(pki.caChain)} ${chain.url('routing')}/metrics
Logs: .local/logs/<service>.log     Stop: Ctrl-C
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the chain…');
    void chain
      .stop()
      .then(() => Promise.all(recipients.map((recipient) => recipient.stop())))
      .then(() => process.exit(0));
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (scripts/start.sh sets it)`);
    process.exit(64);
  }
  return value;
}

function rel(path: string): string {
  return relative(process.cwd(), path) || '.';
}
