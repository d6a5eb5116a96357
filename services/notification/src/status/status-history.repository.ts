import { endsProcessing, type StatusChanged, type StatusResultaat } from '@poort/contracts';
import { prepared, type Pool, type Queryable } from '@poort/message-state';

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

/** A status with its place in the history, for cursors. */
export interface SequencedStatus {
  readonly seq: number;
  readonly status: StatusResultaat;
}

/**
 * The notification service's own tables: the append-only status history and the per-certificate cursors. Plain
 * reads and writes; the rules of what is "new" to whom live in StatusInformationService.
 */
export class StatusHistoryRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Records statuses in their order (their seq), in one statement however many there are. Each message's progress
   * moves on to its latest status among those recorded now; a status recorded before (same statusId: a redelivered
   * event) changes nothing at all, so that recording a run again is harmless.
   */
  async append(tx: Queryable, statuses: readonly StatusChanged[]): Promise<void> {
    if (statuses.length === 0) return;
    await tx.query(
      prepared(
        'status-history.append',
        `WITH given AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                $10::timestamptz[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::boolean[])
                    WITH ORDINALITY AS g(status_id, kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer,
                         belanghebbende_type, statuscode, statusomschrijving, tijdstempel_status, foutcode, foutbeschrijving,
                         statusdetails, final, ends_processing, n)
         ), recorded AS (
           INSERT INTO status_history (status_id, kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer,
             belanghebbende_type, statuscode, statusomschrijving, tijdstempel_status, foutcode, foutbeschrijving, statusdetails, final)
           SELECT status_id, kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer, belanghebbende_type,
                  statuscode, statusomschrijving, tijdstempel_status, foutcode, foutbeschrijving, statusdetails, final
             FROM given ORDER BY n
           ON CONFLICT (status_id) DO NOTHING
           RETURNING status_id
         ), latest AS (
           -- Per message, the latest of the statuses recorded now (the later in the run of two at the same time): an upsert
           -- can touch a row once.
           SELECT DISTINCT ON (g.kenmerk) g.*
             FROM given g JOIN recorded r USING (status_id)
            ORDER BY g.kenmerk, g.tijdstempel_status DESC, g.n DESC
         )
         INSERT INTO message_progress (kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer, belanghebbende_type,
           last_statuscode, last_status_at, done)
         SELECT kenmerk, berichtsoort, sender_oin, aanleverkenmerk, belanghebbende_nummer, belanghebbende_type,
                statuscode, tijdstempel_status, ends_processing
           FROM latest
         ON CONFLICT (kenmerk) DO UPDATE SET last_statuscode = EXCLUDED.last_statuscode, last_status_at = EXCLUDED.last_status_at,
           done = EXCLUDED.done, reported_stuck_at = NULL
         WHERE message_progress.last_status_at <= EXCLUDED.last_status_at`,
        [
          statuses.map((status) => status.statusId),
          ...columnsOf(statuses.map(subjectOf)),
          statuses.map((status) => status.statuscode),
          statuses.map((status) => status.statusomschrijving),
          statuses.map((status) => status.tijdstempelStatus),
          statuses.map((status) => status.statusFoutcode?.foutcode ?? null),
          statuses.map((status) => status.statusFoutcode?.foutbeschrijving ?? null),
          statuses.map((status) => status.statusdetails ?? null),
          statuses.map((status) => status.final),
          statuses.map((status) => endsProcessing(status.statuscode, status.final)),
        ],
      ),
    );
  }

  /** The statuses of one process of one sender after a position in the history, within a time window, in time order. */
  async statusesAfter(db: Queryable, senderOin: string, kenmerk: string, afterSeq: number, window: TimeWindow = {}): Promise<SequencedStatus[]> {
    const { rows } = await db.query<StatusRow>(
      `SELECT ${COLUMNS} FROM status_history
        WHERE kenmerk = $1 AND sender_oin = $2 AND seq > $3
          AND ($4::timestamptz IS NULL OR tijdstempel_status >= $4)
          AND ($5::timestamptz IS NULL OR tijdstempel_status < $5)
        ORDER BY tijdstempel_status, seq`,
      [kenmerk, senderOin, afterSeq, window.vanaf ?? null, window.tot ?? null],
    );
    return rows.map((row) => ({ seq: row.seq, status: toResultaat(row) }));
  }

  /** Every status of a process the sender submitted, within a time window. */
  async list(senderOin: string, kenmerk: string, window: TimeWindow = {}): Promise<StatusResultaat[]> {
    return (await this.statusesAfter(this.pool, senderOin, kenmerk, 0, window)).map((entry) => entry.status);
  }

  /** A certificate's position in a process's history, locked for the caller's transaction (0: nothing fetched yet). */
  async lockCursor(tx: Queryable, clientFingerprint: string, kenmerk: string): Promise<number> {
    await tx.query('INSERT INTO status_cursors (client_fingerprint, kenmerk, last_seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [
      clientFingerprint,
      kenmerk,
    ]);
    const { rows } = await tx.query<{ last_seq: number }>(
      'SELECT last_seq FROM status_cursors WHERE client_fingerprint = $1 AND kenmerk = $2 FOR UPDATE',
      [clientFingerprint, kenmerk],
    );
    return rows[0]?.last_seq ?? 0;
  }

  async moveCursor(tx: Queryable, clientFingerprint: string, kenmerk: string, seq: number): Promise<void> {
    await tx.query('UPDATE status_cursors SET last_seq = $3 WHERE client_fingerprint = $1 AND kenmerk = $2', [clientFingerprint, kenmerk, seq]);
  }

  /** The processes of one berichtsoort and belanghebbende that this sender submitted, oldest first. */
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

  /** The berichtsoorten this sender submitted something for, for one belanghebbende. */
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

/** The columns both tables keep of the message a status is about, in their order. */
type Subject = [string, string, string, string | null, string, string];

function subjectOf(status: StatusChanged): Subject {
  return [status.kenmerk, status.berichtsoort, status.senderOin, status.aanleverkenmerk ?? null, status.identiteitBelanghebbende.nummer, status.identiteitBelanghebbende.type];
}

/** The subjects' columns, one array each, for unnest. */
function columnsOf(subjects: readonly Subject[]): (string | null)[][] {
  return [0, 1, 2, 3, 4, 5].map((column) => subjects.map((subject) => subject[column]!));
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
