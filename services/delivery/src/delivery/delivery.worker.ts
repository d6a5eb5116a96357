import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FOUTCODE, STATUS, TOPICS } from '@poort/contracts';
import { OutboxRelay, Wakeup, enqueueOutbox, withTransaction, type Pool } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { DB_POOL, LOGGER, PLATFORM_OPTIONS, type PlatformOptions } from '@poort/nest-kit';
import { withLogContext, type Logger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { Emissions } from '@poort/pipeline';
import { randomUUID } from 'node:crypto';

import { nextDelayMs } from './backoff.js';
import { DeliveriesRepository, type DeliveryRow } from './deliveries.repository.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { pushToRecipient, type AttemptOutcome } from './recipient-client.js';

export const DELIVERY_WORKER_SETTINGS = Symbol('delivery-worker-settings');
export interface DeliveryWorkerSettings {
  readonly pollIntervalMs: number;
  readonly concurrency: number;
}

/**
 * Attempts due deliveries and records each outcome with its statuses in one transaction. The schedule is in
 * Postgres, so a restart loses no retry; a crash mid-attempt repeats the attempt with the same message id.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly wakeup = new Wakeup();
  private leaseMs = 0;

  constructor(
    @Inject(DB_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PLATFORM_OPTIONS) private readonly platform: PlatformOptions,
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: DeliveryWorkerSettings,
    private readonly deliveries: DeliveriesRepository,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
    private readonly relay: OutboxRelay,
    private readonly metrics: DeliveryMetrics,
  ) {}

  onApplicationBootstrap(): void {
    // A lease outlives the slowest attempt, so no second worker takes a delivery that is still being attempted.
    const longestTimeout = Math.max(
      ...this.catalog.berichtsoorten.flatMap((soort) =>
        this.catalog.get(soort).routing.routes.map((route) => this.catalog.recipient(route.recipient).timeout),
      ),
    );
    this.leaseMs = 2 * longestTimeout + 5_000;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wakeup.kick();
    await this.loop;
  }

  kick(): void {
    this.wakeup.kick();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let leased = 0;
      try {
        const due = await this.deliveries.leaseDue(this.settings.concurrency, this.leaseMs);
        leased = due.length;
        await Promise.all(due.map((delivery) => this.attempt(delivery)));
      } catch (error) {
        this.logger.error({ err: error }, 'delivery round failed');
      }
      if (leased === 0 && this.running) await this.sleepUntilDue();
    }
  }


  private async sleepUntilDue(): Promise<void> {
    const nextDue = await this.deliveries.nextDueAt().catch(() => undefined);
    const untilDue = nextDue ? Math.max(0, nextDue.getTime() - Date.now()) : Infinity;
    await this.wakeup.sleep(Math.min(untilDue, this.settings.pollIntervalMs));
  }

  private attempt(delivery: DeliveryRow): Promise<void> {
    return withLogContext({ kenmerk: delivery.envelope.kenmerk, stage: 'delivery' }, async () => {
      const recipient = this.catalog.recipient(delivery.recipientId);
      const stopTimer = this.metrics.attemptDuration.startTimer({ recipient: recipient.id });
      const outcome = await pushToRecipient(recipient, delivery.envelope, delivery.payload, this.payloads.stream(delivery.payload));
      stopTimer();
      this.metrics.attempts.inc({ recipient: recipient.id, outcome: outcome.kind });
      this.logger.info({ recipient: recipient.id, attempt: delivery.attempts + 1, outcome }, 'delivery attempt');
      await this.record(delivery, outcome);
    });
  }

  private async record(delivery: DeliveryRow, outcome: AttemptOutcome): Promise<void> {
    const { envelope, recipientId } = delivery;
    const out = new Emissions();
    await withTransaction(this.pool, async (tx) => {
      if (outcome.kind === 'delivered') {
        // Lock the message's rows first (in one order) so concurrent completions cannot both miss the last one.
        const all = await this.deliveries.lockMessage(tx, envelope.kenmerk);
        await this.deliveries.finish(tx, envelope.kenmerk, recipientId, 'delivered');
        const delivered = all.filter((row) => row.state === 'delivered' || row.recipientId === recipientId).length;
        if (delivered === delivery.recipientCount) out.status(envelope, { code: STATUS.afgeleverd });
      } else if (outcome.kind === 'refused') {
        await this.deliveries.finish(tx, envelope.kenmerk, recipientId, 'refused', outcome.detail);
        const reden = { foutcode: FOUTCODE.ontvangerWeigert, foutbeschrijving: `${recipientId} weigert het bericht: ${outcome.detail}` };
        out.status(envelope, { code: STATUS.afleveringMislukt, scope: recipientId, fout: reden });
        this.returnToSender(out, delivery, reden);
      } else {
        const failedAttempts = delivery.attempts + 1;
        const policy = this.catalog.get(envelope.berichtsoort).delivery;
        const retryAt = new Date(Date.now() + nextDelayMs(policy, failedAttempts));
        const fout = { foutcode: FOUTCODE.afleverfout, foutbeschrijving: `${recipientId}: ${outcome.detail}` };
        if (retryAt.getTime() > delivery.deadline.getTime()) {
          await this.deliveries.finish(tx, envelope.kenmerk, recipientId, 'expired', outcome.detail);
          const reden = {
            foutcode: FOUTCODE.nietAfleverbaar,
            foutbeschrijving: `niet afgeleverd aan ${recipientId} na ${failedAttempts} pogingen binnen het afleveringsvenster; retour afzender. Laatste fout: ${outcome.detail}`,
          };
          out.status(envelope, { code: STATUS.technischeFoutAflevering, scope: `${recipientId}:final`, final: true, fout: reden });
          this.returnToSender(out, delivery, reden);
        } else {
          await this.deliveries.scheduleRetry(tx, envelope.kenmerk, recipientId, retryAt, outcome.detail);
          // One 420 per recipient while it is down; the history is not flooded with one per attempt.
          out.status(envelope, { code: STATUS.technischeFoutAflevering, scope: recipientId, fout });
        }
      }
      await enqueueOutbox(tx, this.platform.service, out.records);
    });
    this.relay.kick();
  }

  private returnToSender(out: Emissions, delivery: DeliveryRow, reden: { foutcode: string; foutbeschrijving: string }): void {
    const { envelope } = delivery;
    out.emit(TOPICS.returnedToSender, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      kenmerk: envelope.kenmerk,
      berichtsoort: envelope.berichtsoort,
      senderOin: envelope.sender.oin,
      aanleverkenmerk: envelope.aanleverkenmerk,
      recipientId: delivery.recipientId,
      reden,
    });
  }
}
