import type { MessageReturned } from '@poort/contracts';
import type { Pool, Queryable } from '@poort/message-state';

export interface RetourAfzender {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly aanleverkenmerk?: string;
  readonly ontvanger: string;
  readonly reden: { readonly foutcode: string; readonly foutbeschrijving: string };
  readonly tijdstempel: string;
}

/** Retour-afzender notices: what could not be delivered, kept for the sender to fetch. */
export class ReturnedMessagesRepository {
  constructor(private readonly pool: Pool) {}

  async store(tx: Queryable, event: MessageReturned): Promise<void> {
    await tx.query(
      `INSERT INTO returned_messages (event_id, kenmerk, berichtsoort, sender_oin, aanleverkenmerk, recipient_id, foutcode, foutbeschrijving, returned_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        event.eventId,
        event.kenmerk,
        event.berichtsoort,
        event.senderOin,
        event.aanleverkenmerk ?? null,
        event.recipientId,
        event.reden.foutcode,
        event.reden.foutbeschrijving,
        event.occurredAt,
      ],
    );
  }

  async forSender(senderOin: string, since?: Date): Promise<RetourAfzender[]> {
    const { rows } = await this.pool.query<{
      kenmerk: string;
      berichtsoort: string;
      aanleverkenmerk: string | null;
      recipient_id: string;
      foutcode: string;
      foutbeschrijving: string;
      returned_at: Date;
    }>(
      `SELECT kenmerk, berichtsoort, aanleverkenmerk, recipient_id, foutcode, foutbeschrijving, returned_at
         FROM returned_messages WHERE sender_oin = $1 AND ($2::timestamptz IS NULL OR returned_at >= $2)
        ORDER BY returned_at LIMIT 1000`,
      [senderOin, since ?? null],
    );
    return rows.map((row) => ({
      kenmerk: row.kenmerk,
      berichtsoort: row.berichtsoort,
      ...(row.aanleverkenmerk ? { aanleverkenmerk: row.aanleverkenmerk } : {}),
      ontvanger: row.recipient_id,
      reden: { foutcode: row.foutcode, foutbeschrijving: row.foutbeschrijving },
      tijdstempel: row.returned_at.toISOString(),
    }));
  }
}
