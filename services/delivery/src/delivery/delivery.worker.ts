import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, messageReference, type Foutmelding } from '@poort/contracts';
import { BackgroundLoop } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { LOGGER } from '@poort/nest-kit';
import { withLogContext, type Logger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork, type Emissions } from '@poort/pipeline';

import { decideAttempt } from './attempt-decision.js';
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
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop = new BackgroundLoop(() => this.round());
  private leaseMs = 0;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: DeliveryWorkerSettings,
    private readonly unitOfWork: UnitOfWork,
    private readonly deliveries: DeliveriesRepository,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
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
    this.loop.start();
  }

  /** Before the platform stops the relay and closes the pool: the attempts in hand finish and are recorded. */
  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  kick(): void {
    this.loop.kick();
  }

  /** Attempts what is due; the next round at once when there was work, otherwise when the next retry is due. */
  private async round(): Promise<number> {
    try {
      const due = await this.deliveries.leaseDue(this.settings.concurrency, this.leaseMs);
      // Every attempt of the round ends before the next round leases more (and before shutdown closes the pool);
      // one that fails leaves its lease to expire and is tried again.
      const results = await Promise.allSettled(due.map((delivery) => this.attempt(delivery)));
      for (const result of results) if (result.status === 'rejected') this.logger.error({ err: result.reason }, 'delivery attempt failed');
      if (due.length > 0) return 0;
    } catch (error) {
      this.logger.error({ err: error }, 'delivery round failed');
    }
    const nextDue = await this.deliveries.nextDueAt().catch(() => undefined);
    const untilDue = nextDue ? Math.max(0, nextDue.getTime() - Date.now()) : Infinity;
    return Math.max(1, Math.min(untilDue, this.settings.pollIntervalMs));
  }

  private attempt(delivery: DeliveryRow): Promise<void> {
    return withLogContext({ kenmerk: delivery.envelope.kenmerk, stage: 'delivery' }, async () => {
      const recipient = this.catalog.findRecipient(delivery.recipientId);
      await this.deliveries.countAttempt(delivery.kenmerk, delivery.recipientId);
      const stopTimer = this.metrics.attemptDuration.startTimer({ recipient: delivery.recipientId });
      const outcome: AttemptOutcome = recipient
        ? await pushToRecipient(recipient, delivery.envelope, delivery.payload, this.payloads.stream(delivery.payload))
        : { kind: 'undeliverable', detail: `ontvanger ${delivery.recipientId} is niet meer geconfigureerd` };
      stopTimer();
      this.metrics.attempts.inc({ recipient: delivery.recipientId, outcome: outcome.kind });
      this.logger.info({ recipient: delivery.recipientId, attempt: delivery.attempts + 1, outcome }, 'delivery attempt');
      await this.record(delivery, outcome);
    });
  }

  private async record(delivery: DeliveryRow, outcome: AttemptOutcome): Promise<void> {
    const { envelope, recipientId } = delivery;
    await this.unitOfWork.commit(async ({ tx, out }) => {
      const deliveredToOthers = outcome.kind === 'delivered' ? await this.deliveries.lockDeliveredToOthers(tx, envelope.kenmerk, recipientId) : 0;
      const decision = decideAttempt(outcome, {
        recipientId,
        recipientCount: delivery.recipientCount,
        attemptsBefore: delivery.attempts,
        deadline: delivery.deadline,
        now: new Date(),
        deliveredToOthers,
        backoff: this.catalog.find(envelope.berichtsoort)?.delivery,
      });
      await this.deliveries.record(tx, envelope.kenmerk, recipientId, decision.update);
      for (const status of decision.statuses) out.status(envelope, status);
      if (decision.returnToSender) returnToSender(out, delivery, decision.returnToSender);
    });
  }
}

function returnToSender(out: Emissions, delivery: DeliveryRow, reden: Foutmelding): void {
  out.emit(TOPICS.returnedToSender, { ...messageReference(delivery.envelope), recipientId: delivery.recipientId, reden });
}
