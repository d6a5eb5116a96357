import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { STATUS } from '@poort/contracts';
import { BackgroundLoop } from '@poort/message-state';
import { LOGGER } from '@poort/nest-kit';
import { PoortMetrics, type Logger } from '@poort/observability';
import { UnitOfWork } from '@poort/pipeline';

import { stuckStatus } from './stuck-message.js';

export const SWEEPER_SETTINGS = Symbol('poort.notification.sweeper-settings');
export interface SweeperSettings {
  readonly intervalMs: number;
  readonly stuckAfterMs: number;
  readonly stuckInDeliveryAfterMs: number;
}

/** Any constant: it only keeps two replicas from sweeping at once. */
const SWEEP_LOCK = 7_460_010;

interface WaitingRow {
  kenmerk: string;
  berichtsoort: string;
  sender_oin: string;
  aanleverkenmerk: string | null;
  belanghebbende_nummer: string;
  belanghebbende_type: string;
  last_statuscode: string;
  last_status_at: Date;
}

/**
 * Finds messages without progress past their deadline and reports each once: a warning in the log, the
 * poort_stuck_messages_total metric, and a final status for the sender (see stuckStatus). One replica sweeps at a time.
 */
@Injectable()
export class StuckSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop = new BackgroundLoop(async () => {
    await this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'sweep failed; will try again'));
    return this.settings.intervalMs;
  });

  constructor(
    @Inject(SWEEPER_SETTINGS) private readonly settings: SweeperSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: PoortMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One sweep: the messages past their deadline, reported in one transaction (or not at all). Returns how many. */
  async sweep(): Promise<number> {
    return this.unitOfWork.commit(async ({ tx, out }) => {
      const { rows: lock } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [SWEEP_LOCK]);
      if (!lock[0]?.locked) return 0;
      const { rows } = await tx.query<WaitingRow>(
        `SELECT kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer, belanghebbende_type, last_statuscode, last_status_at
           FROM message_progress
          WHERE NOT done AND reported_stuck_at IS NULL
            AND last_status_at < now() - make_interval(secs => (CASE WHEN last_statuscode = ANY($1::text[]) THEN $2 ELSE $3 END)::double precision / 1000)
          ORDER BY last_status_at LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        [[STATUS.afleveringBezig, STATUS.technischeFoutAflevering], this.settings.stuckInDeliveryAfterMs, this.settings.stuckAfterMs],
      );
      for (const row of rows) {
        const subject = {
          kenmerk: row.kenmerk,
          berichtsoort: row.berichtsoort,
          sender: { oin: row.sender_oin },
          aanleverkenmerk: row.aanleverkenmerk ?? undefined,
          identiteitBelanghebbende: { nummer: row.belanghebbende_nummer, type: row.belanghebbende_type },
        };
        out.status(subject, stuckStatus(row.last_statuscode, row.last_status_at));
        this.metrics.stuckMessages.inc({ step: row.last_statuscode });
        this.logger.warn({ kenmerk: row.kenmerk, lastStatus: row.last_statuscode, since: row.last_status_at.toISOString() }, 'message without progress past its deadline');
      }
      if (rows.length > 0) {
        await tx.query('UPDATE message_progress SET reported_stuck_at = now() WHERE kenmerk = ANY($1::text[])', [rows.map((row) => row.kenmerk)]);
      }
      return rows.length;
    });
  }
}
