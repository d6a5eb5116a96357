import type { Envelope, PayloadRef } from '@poort/contracts';
import { prepared, type Pool, type Queryable } from '@poort/message-state';

/** One message parked for one pull recipient, in the mailbox of the recipient's OIN. */
export interface MailboxEntry {
  readonly kenmerk: string;
  readonly recipientId: string;
  readonly ownerOin: string;
  readonly envelope: Envelope;
  /** The rendition the recipient's route asked for. */
  readonly payload: PayloadRef;
  /** The attachments that travel with it (none when the profile wants none). */
  readonly attachments: readonly PayloadRef[];
  readonly parkedAt: Date;
  /** When its delivery was requested (a large content's notice dates from it). */
  readonly deliveryCreatedAt: Date;
}

export type ParkedMessage = Omit<MailboxEntry, 'parkedAt' | 'deliveryCreatedAt'>;

/** Which messages of one mailbox a call asks for; every filter optional but the owner and the limit. */
export interface MailboxQuery {
  readonly ownerOin: string;
  readonly berichtsoort?: string;
  /** identiteitBelanghebbende: its nummer, and its type when given. */
  readonly belanghebbende?: { readonly nummer: string; readonly type?: string };
  readonly kenmerk?: string;
  /** tijdstempelAangeleverd from (inclusive) and until (exclusive), as the status service's windows. */
  readonly vanaf?: Date;
  readonly tot?: Date;
  /** Only what this certificate (SHA-256 fingerprint) has not fetched before. */
  readonly notFetchedBy?: string;
  readonly limit: number;
}

export interface MailboxKey {
  readonly kenmerk: string;
  readonly recipientId: string;
}

interface DbRow {
  kenmerk: string;
  recipient_id: string;
  owner_oin: string;
  envelope: Envelope;
  payload: PayloadRef;
  attachments: PayloadRef[];
  parked_at: Date;
  delivery_created_at: Date;
}

/**
 * The delivery service's mailboxes of pull recipients. A parked message is visible once its delivery is recorded as
 * parked (and stays so after it was fetched, for getBerichten), never before: parking and recording are two steps.
 * It is visible until its window ends unfetched (then the sweeper ends its delivery and removes it) or, fetched,
 * until the retention after its delivery.
 */
export class MailboxRepository {
  constructor(private readonly pool: Pool) {}

  /** Parks a message; parking it again (a repeated attempt) changes nothing. */
  async park(message: ParkedMessage): Promise<void> {
    const { envelope } = message;
    await this.pool.query(
      prepared(
        'mailbox.park',
        `INSERT INTO mailbox (kenmerk, recipient_id, owner_oin, berichtsoort, belanghebbende_nummer, belanghebbende_type,
                              tijdstempel_aangeleverd, envelope, payload, attachments)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [
          message.kenmerk,
          message.recipientId,
          message.ownerOin,
          envelope.berichtsoort,
          envelope.identiteitBelanghebbende.nummer,
          envelope.identiteitBelanghebbende.type,
          envelope.tijdstempelAangeleverd,
          JSON.stringify(envelope),
          JSON.stringify(message.payload),
          JSON.stringify(message.attachments),
        ],
      ),
    );
  }

  /** The messages of one mailbox that match, oldest submitted first, at most `limit`. */
  async find(query: MailboxQuery): Promise<MailboxEntry[]> {
    const { rows } = await this.pool.query<DbRow>(
      prepared(
        'mailbox.find',
        `SELECT m.kenmerk, m.recipient_id, m.owner_oin, m.envelope, m.payload, m.attachments, m.parked_at, d.created_at AS delivery_created_at
           FROM mailbox m JOIN deliveries d ON d.kenmerk = m.kenmerk AND d.recipient_id = m.recipient_id
          WHERE m.owner_oin = $1 AND (d.state = 'delivered' OR (d.state = 'parked' AND d.deadline > now()))
            AND ($2::text IS NULL OR m.berichtsoort = $2)
            AND ($3::text IS NULL OR (m.belanghebbende_nummer = $3 AND ($4::text IS NULL OR m.belanghebbende_type = $4)))
            AND ($5::text IS NULL OR m.kenmerk = $5)
            AND ($6::timestamptz IS NULL OR m.tijdstempel_aangeleverd >= $6)
            AND ($7::timestamptz IS NULL OR m.tijdstempel_aangeleverd < $7)
            AND ($8::text IS NULL OR NOT EXISTS (
                  SELECT 1 FROM mailbox_fetches f
                   WHERE f.certificate_fingerprint = $8 AND f.kenmerk = m.kenmerk AND f.recipient_id = m.recipient_id))
          ORDER BY m.tijdstempel_aangeleverd, m.kenmerk, m.recipient_id
          LIMIT $9`,
        [
          query.ownerOin,
          query.berichtsoort ?? null,
          query.belanghebbende?.nummer ?? null,
          query.belanghebbende?.type ?? null,
          query.kenmerk ?? null,
          query.vanaf ?? null,
          query.tot ?? null,
          query.notFetchedBy ?? null,
          query.limit,
        ],
      ),
    );
    return rows.map((row) => ({
      kenmerk: row.kenmerk,
      recipientId: row.recipient_id,
      ownerOin: row.owner_oin,
      envelope: row.envelope,
      payload: row.payload,
      attachments: row.attachments,
      parkedAt: row.parked_at,
      deliveryCreatedAt: row.delivery_created_at,
    }));
  }

  /**
   * This certificate has fetched these (its "new" cursor), those still in the mailbox; in key order, so concurrent
   * fetches cannot deadlock.
   */
  async recordFetched(tx: Queryable, certificateFingerprint: string, keys: readonly MailboxKey[]): Promise<void> {
    if (keys.length === 0) return;
    const sorted = [...keys].sort((a, b) => (a.kenmerk === b.kenmerk ? compare(a.recipientId, b.recipientId) : compare(a.kenmerk, b.kenmerk)));
    await tx.query(
      prepared(
        'mailbox.fetched',
        `INSERT INTO mailbox_fetches (certificate_fingerprint, kenmerk, recipient_id)
         SELECT $1, f.kenmerk, f.recipient_id FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS f(kenmerk, recipient_id, place)
          WHERE EXISTS (SELECT 1 FROM mailbox m WHERE m.kenmerk = f.kenmerk AND m.recipient_id = f.recipient_id)
          ORDER BY f.place
         ON CONFLICT DO NOTHING`,
        [certificateFingerprint, sorted.map((key) => key.kenmerk), sorted.map((key) => key.recipientId)],
      ),
    );
  }

  /** Removes these messages from their mailboxes, with the record of who fetched them. */
  async remove(tx: Queryable, keys: readonly MailboxKey[]): Promise<void> {
    if (keys.length === 0) return;
    const parameters = [keys.map((key) => key.kenmerk), keys.map((key) => key.recipientId)];
    const matching = 'IN (SELECT * FROM unnest($1::text[], $2::text[]))';
    await tx.query(prepared('mailbox.remove-fetches', `DELETE FROM mailbox_fetches WHERE (kenmerk, recipient_id) ${matching}`, parameters));
    await tx.query(prepared('mailbox.remove', `DELETE FROM mailbox WHERE (kenmerk, recipient_id) ${matching}`, parameters));
  }

  /**
   * Fetched messages delivered longer than `retentionMs` ago: at most `limit`, oldest parked first (they are parked
   * before they are delivered).
   */
  async deliveredBefore(retentionMs: number, limit: number): Promise<MailboxKey[]> {
    const { rows } = await this.pool.query<{ kenmerk: string; recipient_id: string }>(
      prepared(
        'mailbox.delivered-before',
        `SELECT m.kenmerk, m.recipient_id FROM mailbox m JOIN deliveries d ON d.kenmerk = m.kenmerk AND d.recipient_id = m.recipient_id
          WHERE m.parked_at < now() - make_interval(secs => $1::double precision / 1000)
            AND d.state = 'delivered' AND d.updated_at < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY m.parked_at LIMIT $2`,
        [retentionMs, limit],
      ),
    );
    return rows.map((row) => ({ kenmerk: row.kenmerk, recipientId: row.recipient_id }));
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
