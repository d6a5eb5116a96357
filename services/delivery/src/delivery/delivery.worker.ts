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
import type { AttemptOutcome } from './attempt-outcome.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './channels/delivery-channel.js';

export const DELIVERY_WORKER_SETTINGS = Symbol('delivery-worker-settings');
export interface DeliveryWorkerSettings {
  readonly pollIntervalMs: number;
  /** Deliveries per round. */
  readonly concurrency: number;
  /** Of a round's, at most this many to one recipient. */
  readonly perRecipient: number;
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
    @Inject(DELIVERY_CHANNELS) private readonly channels: ReadonlyMap<string, DeliveryChannel>,
  ) {}

  onApplicationBootstrap(): void {
    for (const recipient of this.catalog.recipients) {
      if (!this.channels.has(recipient.channel)) throw new Error(`recipient ${recipient.id}: channel ${recipient.channel} is not available in this delivery service`);
    }
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

  /**
   * Attempts what is due, then records all the outcomes in one transaction; the next round at once when there was
   * work, otherwise when the next retry is due.
   */
  private async round(): Promise<number> {
    try {
      const due = await this.deliveries.leaseDue(this.settings.concurrency, this.leaseMs, this.settings.perRecipient);
      if (due.length > 0) {
        const contents = await this.payloads.readSmall(due.map((delivery) => delivery.payload));
        // Every attempt of the round ends before the next round leases more (and before shutdown closes the pool).
        const outcomes = await Promise.all(due.map((delivery) => this.attempt(delivery, contents.get(delivery.payload.id))));
        // Should recording fail, the leases expire and the deliveries are tried again, with the same message ids.
        await this.record(due, outcomes);
        return 0;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'delivery round failed');
    }
    const nextDue = await this.deliveries.nextDueAt().catch(() => undefined);
    const untilDue = nextDue ? Math.max(0, nextDue.getTime() - Date.now()) : Infinity;
    return Math.max(1, Math.min(untilDue, this.settings.pollIntervalMs));
  }

  /** One attempt; its outcome, whatever happens (a failure to push is an outcome too). */
  private attempt(delivery: DeliveryRow, content: Buffer | undefined): Promise<AttemptOutcome> {
    return withLogContext({ kenmerk: delivery.envelope.kenmerk, stage: 'delivery' }, async () => {
      const recipient = this.catalog.findRecipient(delivery.recipientId);
      const channel = recipient && this.channels.get(recipient.channel);
      const stopTimer = this.metrics.attemptDuration.startTimer({ recipient: delivery.recipientId });
      const outcome: AttemptOutcome = channel
        ? await channel.deliver({ recipient, envelope: delivery.envelope, payload: delivery.payload, content: content ?? this.payloads.stream(delivery.payload) })
        : { kind: 'undeliverable', detail: `ontvanger ${delivery.recipientId} is niet meer geconfigureerd` };
      stopTimer();
      this.metrics.attempts.inc({ recipient: delivery.recipientId, outcome: outcome.kind });
      // A delivered message is on record already (its status, the attempts metric): logging each one is the hot path's
      // largest write. What went wrong is logged as it happens.
      const level = outcome.kind === 'delivered' ? 'debug' : 'info';
      this.logger[level]({ recipient: delivery.recipientId, attempt: delivery.attempts + 1, outcome }, 'delivery attempt');
      return outcome;
    });
  }

  /**
   * The outcomes of a round with their statuses, in one transaction. The deliveries of their messages are locked
   * first, so that a message's 400 comes exactly once, when its last recipient has it, even when two recipients of
   * one message are recorded in the same round or by two workers at once.
   */
  private async record(due: readonly DeliveryRow[], outcomes: readonly AttemptOutcome[]): Promise<void> {
    await this.unitOfWork.commit(async ({ tx, out }) => {
      const delivered = await this.deliveries.lockDelivered(
        tx,
        due.filter((_, index) => outcomes[index]!.kind === 'delivered').map((delivery) => delivery.kenmerk),
      );
      const now = new Date();
      const updates = due.map((delivery, index) => {
        const { envelope, recipientId } = delivery;
        const outcome = outcomes[index]!;
        const others = delivered.get(delivery.kenmerk) ?? new Set<string>();
        const decision = decideAttempt(outcome, {
          recipientId,
          recipientCount: delivery.recipientCount,
          attemptsBefore: delivery.attempts,
          deadline: delivery.deadline,
          now,
          deliveredToOthers: [...others].filter((other) => other !== recipientId).length,
          backoff: this.catalog.find(envelope.berichtsoort)?.delivery,
        });
        if (decision.update.state === 'delivered') delivered.set(delivery.kenmerk, others.add(recipientId));
        for (const status of decision.statuses) out.status(envelope, status);
        if (decision.returnToSender) returnToSender(out, delivery, decision.returnToSender);
        return { kenmerk: delivery.kenmerk, recipientId, update: decision.update };
      });
      await this.deliveries.record(tx, updates);
    });
  }
}

function returnToSender(out: Emissions, delivery: DeliveryRow, reden: Foutmelding): void {
  out.emit(TOPICS.returnedToSender, { ...messageReference(delivery.envelope), recipientId: delivery.recipientId, reden });
}
