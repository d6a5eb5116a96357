import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BackgroundLoop } from '@poort/message-state';
import { MessageCatalog } from '@poort/message-types';
import { LOGGER } from '@poort/nest-kit';
import type { Logger } from '@poort/observability';
import { UnitOfWork } from '@poort/pipeline';

import type { AttemptOutcome } from '../delivery/attempt-outcome.js';
import { DeliveriesRepository } from '../delivery/deliveries.repository.js';
import { recordOutcomes } from '../delivery/record-outcomes.js';
import { MailboxRepository, type MailboxKey } from './mailbox.repository.js';

export const MAILBOX_SWEEPER_SETTINGS = Symbol('mailbox-sweeper-settings');
export interface MailboxSweeperSettings {
  /** How long a fetched message stays in its mailbox after its delivery (getBerichten answers it meanwhile). */
  readonly retentionMs: number;
}

/** Messages ended or removed per transaction. */
const BATCH = 100;
/** The longest rest between rounds: a delivery parked meanwhile with an earlier deadline waits at most this long. */
const MAX_REST_MS = 5_000;
/** Fetched messages past their retention are looked for this often. */
const RETENTION_SWEEP_MS = 60_000;

const UNFETCHED: AttemptOutcome = { kind: 'unfetched' };
const sameKey = (a: MailboxKey, b: MailboxKey): boolean => a.kenmerk === b.kenmerk && a.recipientId === b.recipientId;

/**
 * Ends what pull recipients did not fetch in time: a parked delivery whose retry window (the recipient's time to
 * fetch) has ended is given up as an undeliverable push is (final 420/AFS600, retour afzender), recorded by the
 * worker's own code, and leaves the mailbox. And removes fetched messages from their mailboxes once their retention
 * after delivery has passed. Each round locks the messages' deliveries as the worker and a fetch do (lockAll, one
 * order), and looks at their state again under the lock: several replicas, or a fetch at the same moment, leave
 * exactly one outcome.
 */
@Injectable()
export class MailboxSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop = new BackgroundLoop(() => this.round());
  private retentionSweptAt = 0;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MAILBOX_SWEEPER_SETTINGS) private readonly settings: MailboxSweeperSettings,
    private readonly unitOfWork: UnitOfWork,
    private readonly deliveries: DeliveriesRepository,
    private readonly mailbox: MailboxRepository,
    private readonly catalog: MessageCatalog,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  kick(): void {
    this.loop.kick();
  }

  private async round(): Promise<number> {
    try {
      if ((await this.endUnfetched()) === BATCH) return 0;
      if (Date.now() - this.retentionSweptAt >= RETENTION_SWEEP_MS) {
        if ((await this.removeRetained()) === BATCH) return 0;
        this.retentionSweptAt = Date.now();
      }
    } catch (error) {
      this.logger.error({ err: error }, 'mailbox sweep failed');
    }
    const next = await this.deliveries.nextParkedDeadline().catch(() => undefined);
    return next ? Math.max(1, Math.min(next.getTime() - Date.now(), MAX_REST_MS)) : MAX_REST_MS;
  }

  /** Parked deliveries past their deadline end as unfetched; how many were found. */
  async endUnfetched(): Promise<number> {
    const overdue = await this.deliveries.overdueParked(BATCH);
    if (overdue.length === 0) return 0;
    const ended = await this.unitOfWork.commit(async ({ tx, out }) => {
      const rows = await this.deliveries.lockAll(tx, overdue.map((key) => key.kenmerk));
      const now = Date.now();
      // Under the lock: a fetch or another replica may have recorded it meanwhile.
      const due = rows.filter((row) => row.state === 'parked' && row.deadline.getTime() <= now && overdue.some((key) => sameKey(key, row)));
      await recordOutcomes(tx, out, { deliveries: this.deliveries, catalog: this.catalog }, due, due.map(() => UNFETCHED));
      await this.mailbox.remove(tx, due);
      return due;
    });
    for (const delivery of ended) {
      this.logger.info({ kenmerk: delivery.kenmerk, recipient: delivery.recipientId, deadline: delivery.deadline }, 'not fetched within the retry window: retour afzender');
    }
    return overdue.length;
  }

  /** Fetched messages past their retention leave their mailboxes; how many were found. */
  async removeRetained(): Promise<number> {
    const retained = await this.mailbox.deliveredBefore(this.settings.retentionMs, BATCH);
    if (retained.length === 0) return 0;
    await this.unitOfWork.commit(async ({ tx }) => {
      // The same locks as a fetch: one that is answering one of these records its fetch before they go, or not at all.
      await this.deliveries.lockAll(tx, retained.map((key) => key.kenmerk));
      await this.mailbox.remove(tx, retained);
    });
    return retained.length;
  }
}
