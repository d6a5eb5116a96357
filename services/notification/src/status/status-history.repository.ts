import type { StatusChanged } from '@poort/contracts';
import { withTransaction, type Pool, type Queryable } from '@poort/message-state';

import type { StatusResultaat } from './status-resultaat.js';

interface StatusRow {
  seq: number;
  kenmerk: string;
  belanghebbende_nummer: string;
  belanghebbende_type: string;
  statuscode: string;
  tijdstempel_status: Date;
  statusomschrijving: string;
  foutcode: string | null;
  foutbeschrijving: string | null;
  statusdetails: string | null;
}

const COLUMNS = `seq, kenmerk, belanghebbende_nummer, belanghebbende_type, statuscode, tijdstempel_status,
                 statusomschrijving, foutcode, foutbeschrijving, statusdetails`;

export interface TimeWindow {
  readonly vanaf?: Date;
  readonly tot?: Date;
}

/** The notification service's own tables: the append-only status history and per-certificate cursors. */
export class StatusHistoryRepository {
  constructor(private readonly pool: Pool) {}

  async append(tx: Queryable, status: StatusChanged): Promise<void> {
    await tx.query(
      `INSERT INTO status_history (status_id, kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer,
         belanghebbende_type, statuscode, statusomschrijving, tijdstempel_status, foutcode, foutbeschrijving, statusdetails, final)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (status_id) DO NOTHING`,
      [
        status.statusId,
        status.kenmerk,
        status.berichtsoort,
        status.senderOin,
        status.aanleverkenmerk ?? null,
        status.identiteitBelanghebbende.nummer,
        status.identiteitBelanghebbende.type,
        status.statuscode,
        status.statusomschrijving,
        status.tijdstempelStatus,
        status.statusFoutcode?.foutcode ?? null,
        status.statusFoutcode?.foutbeschrijving ?? null,
        status.statusdetails ?? null,
        status.final,
      ],
    );
  }

  /** getStatussenProces: every status of a process the caller sent, optionally within a time window. */
  async list(senderOin: string, kenmerk: string, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    const { rows } = await this.pool.query<StatusRow>(
      `SELECT ${COLUMNS} FROM status_history
        WHERE kenmerk = $1 AND sender_oin = $2
          AND ($3::timestamptz IS NULL OR tijdstempel_status >= $3)
          AND ($4::timestamptz IS NULL OR tijdstempel_status < $4)
        ORDER BY tijdstempel_status, seq`,
      [kenmerk, senderOin, window.vanaf ?? null, window.tot ?? null],
    );
    return rows.map(toResultaat);
  }

  /**
   * getNieuweStatussenProces: the statuses this certificate has not fetched before; fetching moves its
   * cursor, in the same transaction, so each status is "new" to a certificate exactly once.
   */
  async fetchNew(senderOin: string, clientFingerprint: string, kenmerk: string): Promise<StatusResultaat[]> {
    return withTransaction(this.pool, async (tx) => {
      await tx.query(
        'INSERT INTO status_cursors (client_fingerprint, kenmerk, last_seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING',
        [clientFingerprint, kenmerk],
      );
      const cursor = await tx.query<{ last_seq: number }>(
        'SELECT last_seq FROM status_cursors WHERE client_fingerprint = $1 AND kenmerk = $2 FOR UPDATE',
        [clientFingerprint, kenmerk],
      );
      const { rows } = await tx.query<StatusRow>(
        `SELECT ${COLUMNS} FROM status_history
          WHERE kenmerk = $1 AND sender_oin = $2 AND seq > $3
          ORDER BY tijdstempel_status, seq`,
        [kenmerk, senderOin, cursor.rows[0]?.last_seq ?? 0],
      );
      if (rows.length > 0) {
        await tx.query('UPDATE status_cursors SET last_seq = $3 WHERE client_fingerprint = $1 AND kenmerk = $2', [
          clientFingerprint,
          kenmerk,
          Math.max(...rows.map((row) => row.seq)),
        ]);
      }
      return rows.map(toResultaat);
    });
  }

  async isKnownTo(senderOin: string, kenmerk: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM status_history WHERE kenmerk = $1 AND sender_oin = $2 LIMIT 1', [
      kenmerk,
      senderOin,
    ]);
    return (rowCount ?? 0) > 0;
  }
}

function toResultaat(row: StatusRow): StatusResultaat {
  return {
    kenmerk: row.kenmerk,
    identiteitBelanghebbende: { nummer: row.belanghebbende_nummer, type: row.belanghebbende_type },
    statuscode: row.statuscode,
    tijdstempelStatus: row.tijdstempel_status.toISOString(),
    statusomschrijving: row.statusomschrijving,
    ...(row.foutcode ? { statusFoutcode: { foutcode: row.foutcode, foutbeschrijving: row.foutbeschrijving ?? '' } } : {}),
    ...(row.statusdetails ? { statusdetails: row.statusdetails } : {}),
  };
}
