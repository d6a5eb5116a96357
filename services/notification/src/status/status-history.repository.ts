import type { StatusChanged, StatusResultaat } from '@poort/contracts';
import { withTransaction, type Pool, type Queryable } from '@poort/message-state';


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

export interface ProcessFilter {
  readonly berichtsoort: string;
  readonly belanghebbende: { readonly nummer: string; readonly type: string };
}

export interface ProcesRecord {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: { readonly nummer: string; readonly type: string };
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
  async fetchNew(senderOin: string, clientFingerprint: string, kenmerk: string, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    return withTransaction(this.pool, (tx) => this.fetchNewIn(tx, senderOin, clientFingerprint, kenmerk, window));
  }

  /**
   * A time window narrows which new statuses are returned; the cursor then moves to the newest one returned, so a
   * new status before it that fell outside the window is no longer "new" (Logius advises windowed
   * getStatussenProces polling over getNieuweStatussen* for exactly this kind of reason).
   */
  private async fetchNewIn(tx: Queryable, senderOin: string, clientFingerprint: string, kenmerk: string, window: TimeWindow): Promise<StatusResultaat[]> {
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
          AND ($4::timestamptz IS NULL OR tijdstempel_status >= $4)
          AND ($5::timestamptz IS NULL OR tijdstempel_status < $5)
        ORDER BY tijdstempel_status, seq`,
      [kenmerk, senderOin, cursor.rows[0]?.last_seq ?? 0, window.vanaf ?? null, window.tot ?? null],
    );
    if (rows.length > 0) {
      await tx.query('UPDATE status_cursors SET last_seq = $3 WHERE client_fingerprint = $1 AND kenmerk = $2', [
        clientFingerprint,
        kenmerk,
        Math.max(...rows.map((row) => row.seq)),
      ]);
    }
    return rows.map(toResultaat);
  }

  /**
   * getNieuweStatussen: the new statuses of every process of one berichtsoort and belanghebbende that this sender
   * submitted, sharing the per-process cursors of getNieuweStatussenProces (one "fetched" relation per certificate).
   */
  async fetchNewFor(senderOin: string, clientFingerprint: string, filter: ProcessFilter, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    const kenmerken = (await this.processen(senderOin, filter)).map((proces) => proces.kenmerk);
    return withTransaction(this.pool, async (tx) => {
      const statuses: StatusResultaat[] = [];
      for (const kenmerk of kenmerken) statuses.push(...(await this.fetchNewIn(tx, senderOin, clientFingerprint, kenmerk, window)));
      return statuses.sort((a, b) => a.tijdstempelStatus.localeCompare(b.tijdstempelStatus));
    });
  }

  /** getProcessen: the processes of one berichtsoort and belanghebbende that this sender submitted. */
  async processen(senderOin: string, filter: ProcessFilter): Promise<ProcesRecord[]> {
    const { rows } = await this.pool.query<{ kenmerk: string; berichtsoort: string; belanghebbende_nummer: string; belanghebbende_type: string }>(
      `SELECT kenmerk, berichtsoort, belanghebbende_nummer, belanghebbende_type, min(seq) AS first_seq
         FROM status_history
        WHERE sender_oin = $1 AND berichtsoort = $2 AND belanghebbende_nummer = $3 AND belanghebbende_type = $4
        GROUP BY kenmerk, berichtsoort, belanghebbende_nummer, belanghebbende_type
        ORDER BY first_seq LIMIT 1000`,
      [senderOin, filter.berichtsoort, filter.belanghebbende.nummer, filter.belanghebbende.type],
    );
    return rows.map((row) => ({
      kenmerk: row.kenmerk,
      berichtsoort: row.berichtsoort,
      identiteitBelanghebbende: { nummer: row.belanghebbende_nummer, type: row.belanghebbende_type },
    }));
  }

  /** getBerichtsoorten: the berichtsoorten this sender submitted something for, for one belanghebbende. */
  async berichtsoorten(senderOin: string, belanghebbende: { nummer: string; type: string }): Promise<string[]> {
    const { rows } = await this.pool.query<{ berichtsoort: string }>(
      `SELECT DISTINCT berichtsoort FROM status_history
        WHERE sender_oin = $1 AND belanghebbende_nummer = $2 AND belanghebbende_type = $3
        ORDER BY berichtsoort`,
      [senderOin, belanghebbende.nummer, belanghebbende.type],
    );
    return rows.map((row) => row.berichtsoort);
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
