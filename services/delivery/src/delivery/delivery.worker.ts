import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Coalescer } from '@poort/batching';
import { BackgroundLoop } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { LOGGER } from '@poort/nest-kit';
import { withLogContext, type Logger } from '@poort/observability';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';

import { LargeContentNotices } from '../files/large-content.js';
import { CIRCUIT_GAUGE, RecipientCircuits, type CircuitPolicy } from './circuit-breaker.js';
import { DeliveriesRepository, type DeliveryRow } from './deliveries.repository.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { recordOutcomes } from './record-outcomes.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './channels/delivery-channel.js';

export const DELIVERY_WORKER_SETTINGS = Symbol('delivery-worker-settings');
export interface DeliveryWorkerSettings {
  readonly pollIntervalMs: number;
  /** Attempts in flight at once in one process, to all recipients together (each recipient's own limit is in its profile). */
  readonly concurrency: number;
  readonly circuit: CircuitPolicy;
}

/** Deliveries whose recipient is no longer configured are looked for this often (they end as undeliverable). */
const UNLISTED_SWEEP_MS = 10_000;

interface Finished {
  readonly delivery: DeliveryRow;
  readonly outcome: AttemptOutcome;
}

/**
 * Attempts due deliveries and records each outcome with its statuses. Each recipient has a lane: at most its
 * profile's concurrency in flight, and a circuit breaker that stops sending to it while it is down. Attempts run on
 * their own, so a slow or dead recipient holds only its own lane; outcomes are recorded as they come, many in one
 * transaction. The schedule is in Postgres, so a restart loses no retry; a crash mid-attempt repeats the attempt with
 * the same message id.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop = new BackgroundLoop(() => this.round());
  private readonly recorder = new Coalescer<Finished>((finished) => this.record(finished));
  private readonly circuits: RecipientCircuits;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private totalInFlight = 0;
  private leaseMs = 0;
  private unlistedSweptAt = 0;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: DeliveryWorkerSettings,
    private readonly unitOfWork: UnitOfWork,
    private readonly deliveries: DeliveriesRepository,
    private readonly catalog: MessageCatalog,
    private readonly payloads: PayloadStore,
    private readonly metrics: DeliveryMetrics,
    @Inject(DELIVERY_CHANNELS) private readonly channels: ReadonlyMap<string, DeliveryChannel>,
    private readonly notices: LargeContentNotices,
  ) {
    this.circuits = new RecipientCircuits(settings.circuit);
  }

  onApplicationBootstrap(): void {
    for (const recipient of this.catalog.recipients) {
      if (!this.channels.has(recipient.channel)) throw new Error(`recipient ${recipient.id}: channel ${recipient.channel} is not available in this delivery service`);
    }
    // A lease outlives the slowest attempt, so no second worker takes a delivery that is still being attempted.
    const longestTimeout = Math.max(...this.catalog.recipients.map((recipient) => recipient.timeout));
    this.leaseMs = 2 * longestTimeout + 5_000;
    this.loop.start();
  }

  /** Before the platform stops the relay and closes the pool: the attempts in hand finish and are recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    while (this.running.size > 0) await Promise.all(this.running);
  }

  kick(): void {
    this.loop.kick();
  }

  /**
   * Leases what is due for the lanes with room and starts those attempts; the next round when attempts free room
   * (they kick the loop), or when the next retry is due.
   */
  private async round(): Promise<number> {
    try {
      const free = this.settings.concurrency - this.totalInFlight;
      // A lease costs a statement: it waits for half the room, unless nothing is in flight at all.
      if (free <= 0 || (free < this.settings.concurrency / 2 && this.totalInFlight > 0)) return this.settings.pollIntervalMs;
      const lanes = this.catalog.recipients.map((recipient) => {
        const state = this.circuits.state(recipient.id);
        this.metrics.circuitState.set({ recipient: recipient.id }, CIRCUIT_GAUGE[state]);
        // An open circuit's lane takes only what is overdue: given up without a request to a recipient that is down.
        return state === 'open'
          ? { recipientId: recipient.id, room: free, overdueOnly: true }
          : { recipientId: recipient.id, room: this.circuits.room(recipient.id, recipient.concurrency, this.inFlight.get(recipient.id) ?? 0), overdueOnly: false };
      });
      const due = await this.deliveries.leaseLanes(free, this.leaseMs, lanes);
      if (Date.now() - this.unlistedSweptAt >= UNLISTED_SWEEP_MS && due.length < free) {
        this.unlistedSweptAt = Date.now();
        due.push(...(await this.deliveries.leaseDue(free - due.length, this.leaseMs, free, lanes.map((lane) => lane.recipientId))));
      }
      if (due.length > 0) {
        await this.start(due);
        if (due.length === free) return this.settings.pollIntervalMs; // more may be due: attempts that end kick the loop
      }
    } catch (error) {
      this.logger.error({ err: error }, 'delivery round failed');
    }
    const nextDue = await this.deliveries.nextDueAt().catch(() => undefined);
    const untilDue = nextDue ? Math.max(0, nextDue.getTime() - Date.now()) : Infinity;
    return Math.max(1, Math.min(untilDue, this.settings.pollIntervalMs));
  }

  /** Starts the attempts of leased deliveries; each is recorded when it ends (and frees its room then). */
  private async start(due: readonly DeliveryRow[]): Promise<void> {
    const contents = await this.payloads.readSmall(due.map((delivery) => delivery.payload));
    for (const delivery of due) {
      const { recipientId } = delivery;
      const overdue = this.circuits.state(recipientId) === 'open';
      this.circuits.started(recipientId);
      this.track(recipientId, 1);
      const task = (overdue ? Promise.resolve(this.givenUpWhileOpen(delivery)) : this.attempt(delivery, contents.get(delivery.payload.id)))
        .then((outcome) => {
          this.circuits.record(recipientId, outcome.kind);
          this.track(recipientId, -1);
          this.loop.kick();
          // Should recording fail, the lease expires and the delivery is tried again, with the same message id.
          return this.recorder.submit({ delivery, outcome });
        })
        .catch((error: unknown) => this.logger.error({ err: error, kenmerk: delivery.kenmerk, recipient: recipientId }, 'recording a delivery attempt failed'));
      this.running.add(task);
      void task.finally(() => this.running.delete(task));
    }
  }

  private track(recipientId: string, change: 1 | -1): void {
    const now = (this.inFlight.get(recipientId) ?? 0) + change;
    this.inFlight.set(recipientId, now);
    this.totalInFlight += change;
    this.metrics.inFlight.set({ recipient: recipientId }, now);
  }

  /** A delivery whose window ended while its recipient's circuit was open: the outcome of the last failures, no request. */
  private givenUpWhileOpen(delivery: DeliveryRow): AttemptOutcome {
    return { kind: 'failed', detail: `${delivery.recipientId} is onbereikbaar (circuit open)` };
  }

  /** One attempt; its outcome, whatever happens (a failure to push is an outcome too). */
  private attempt(delivery: DeliveryRow, content: Buffer | undefined): Promise<AttemptOutcome> {
    return withLogContext({ kenmerk: delivery.envelope.kenmerk, stage: 'delivery' }, async () => {
      const recipient = this.catalog.findRecipient(delivery.recipientId);
      const channel = recipient && this.channels.get(recipient.channel);
      const stopTimer = this.metrics.attemptDuration.startTimer({ recipient: delivery.recipientId });
      // Too large to push: the Grote Berichten notice goes instead, and the recipient fetches the file. A mailbox parks
      // the content's reference and hands out the notice when it is fetched (MailboxService).
      const notice = channel && !channel.parksByReference && this.notices.isLarge(delivery.payload) ? this.notices.noticeFor(delivery) : undefined;
      const outcome: AttemptOutcome = channel
        ? await channel.deliver({
            recipient,
            envelope: delivery.envelope,
            payload: notice?.ref ?? delivery.payload,
            content: notice?.bytes ?? content ?? this.payloads.stream(delivery.payload),
            attachments: recipient.attachments ? delivery.envelope.attachments : [],
            read: (ref) => this.payloads.read(ref),
          })
        : { kind: 'undeliverable', detail: `ontvanger ${delivery.recipientId} is niet meer geconfigureerd` };
      stopTimer();
      this.metrics.attempts.inc({ recipient: delivery.recipientId, outcome: outcome.kind });
      // A delivered message is on record already (its status, the attempts metric): logging each one is the hot path's
      // largest write. What went wrong is logged as it happens.
      const level = outcome.kind === 'delivered' || outcome.kind === 'parked' ? 'debug' : 'info';
      this.logger[level]({ recipient: delivery.recipientId, attempt: delivery.attempts + 1, outcome }, 'delivery attempt');
      return outcome;
    });
  }

  /** Outcomes as they come, many in one transaction (see recordOutcomes). */
  private async record(finished: readonly Finished[]): Promise<void> {
    const due = finished.map((each) => each.delivery);
    const outcomes = finished.map((each) => each.outcome);
    await this.unitOfWork.commit(({ tx, out }) => recordOutcomes(tx, out, { deliveries: this.deliveries, catalog: this.catalog }, due, outcomes));
  }
}
