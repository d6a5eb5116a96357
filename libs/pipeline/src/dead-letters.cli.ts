import { parseArgs } from 'node:util';

import { databaseEnv, kafkaEnv, kafkaTlsFromEnv, loadConfigOrExit } from '@poort/config';
import { KafkaBus } from '@poort/kafka';
import { OutboxRelay, createPool } from '@poort/message-state';
import { PoortMetrics, createLogger } from '@poort/observability';
import { z } from 'zod';

import { DeadLetters, type DeadLetterFilter } from './dead-letters.js';
import { UnitOfWork } from './unit-of-work.js';

// The operator's command for dead letters (the archive's admin API offers the same over mTLS):
//   pnpm run redrive -- list    [--topic T] [--stage S] [--kenmerk K] [--reason TEXT] [--id N …] [--all-states]
//   pnpm run redrive -- redrive  --id N … | --topic T | --stage S | --kenmerk K | --reason TEXT | --all
// Every line printed is JSON. A re-drive goes through an outbox of its own (source 'operator') and waits until it
// is published; the stages' inboxes make a re-driven event that was already handled a no-op.
const SOURCE = 'operator';
const USAGE = 'usage: redrive list|redrive [--id N]… [--topic T] [--stage S] [--kenmerk K] [--reason TEXT] [--all] [--all-states]';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string', multiple: true },
    topic: { type: 'string' },
    stage: { type: 'string' },
    kenmerk: { type: 'string' },
    reason: { type: 'string' },
    all: { type: 'boolean' },
    'all-states': { type: 'boolean' },
  },
});
const command = positionals[0];
if (command !== 'list' && command !== 'redrive') {
  console.error(USAGE);
  process.exit(64);
}
const filter: DeadLetterFilter = {
  ...(values.id ? { ids: values.id.map(Number) } : {}),
  ...(values.topic ? { topic: values.topic } : {}),
  ...(values.stage ? { stage: values.stage } : {}),
  ...(values.kenmerk ? { kenmerk: values.kenmerk } : {}),
  ...(values.reason ? { reasonContains: values.reason } : {}),
  ...(values['all-states'] ? { includeRedriven: true } : {}),
};
if (command === 'redrive' && Object.keys(filter).length === 0 && !values.all) {
  console.error('redrive needs a filter, or --all to re-drive every open dead letter');
  process.exit(64);
}

const config = loadConfigOrExit('redrive', z.object({ ...databaseEnv, ...kafkaEnv }));
const logger = createLogger('redrive', 'info', 'stderr');
const pool = createPool(config.DATABASE_URL, 2);
const bus = new KafkaBus(
  { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-operator`, namespace: config.KAFKA_NAMESPACE, tls: kafkaTlsFromEnv(config) },
  logger,
);
const relay = new OutboxRelay(pool, bus, SOURCE, logger, { pollIntervalMs: 100 });
const deadLetters = new DeadLetters(pool, new UnitOfWork({ pool, relay, source: SOURCE, metrics: new PoortMetrics('redrive') }));
try {
  if (command === 'list') {
    for (const letter of await deadLetters.list(filter)) console.log(JSON.stringify(letter));
  } else {
    await bus.connect();
    relay.start();
    const redriven = await deadLetters.redrive(filter);
    relay.kick();
    await untilPublished();
    for (const letter of redriven) console.log(JSON.stringify(letter));
    logger.info({ count: redriven.length, ids: redriven.map((letter) => letter.id) }, 'dead letters re-driven');
  }
} catch (error) {
  logger.error({ err: error }, `redrive ${command} failed`);
  process.exitCode = 1;
} finally {
  await relay.stop();
  await bus.close().catch(() => undefined);
  await pool.end();
}

async function untilPublished(): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ left: number }>('SELECT count(*)::int AS left FROM outbox WHERE source = $1', [SOURCE]);
    if (rows[0]!.left === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
