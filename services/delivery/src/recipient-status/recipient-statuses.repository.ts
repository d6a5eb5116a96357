import type { Envelope } from '@poort/contracts';
import { prepared, type Queryable } from '@poort/message-state';

import type { DeliveryState } from '../delivery/deliveries.repository.js';
import type { RecipientStatusCode, ReportedStatus } from './recipient-status.decision.js';

/** A message's deliveries as a recipient's status report meets them (locked until the report is recorded). */
export interface DeliveriesOfMessage {
  readonly envelope: Envelope;
  readonly deliveries: readonly { readonly recipientId: string; readonly state: DeliveryState; readonly reported: ReportedStatus | undefined }[];
}

interface DbRow {
  recipient_id: string;
  state: DeliveryState;
  envelope: Envelope;
  recipient_statuscode: RecipientStatusCode | null;
  recipient_foutcode: string | null;
}

/** The recipients' own statuses, kept with their deliveries in the delivery service's table (migration 0016). */
export class RecipientStatusesRepository {
  /**
   * All deliveries of the message, locked in the order the delivery worker locks them (so the two never deadlock), so
   * that two reports at once are decided one after the other; undefined when Poort never had the message for delivery.
   */
  async lock(tx: Queryable, kenmerk: string): Promise<DeliveriesOfMessage | undefined> {
    const { rows } = await tx.query<DbRow>(
      prepared(
        'recipient-statuses.lock',
        `SELECT recipient_id, state, envelope, recipient_statuscode, recipient_foutcode FROM deliveries
          WHERE kenmerk = $1 ORDER BY kenmerk, recipient_id FOR UPDATE`,
        [kenmerk],
      ),
    );
    const first = rows[0];
    if (!first) return undefined;
    return {
      envelope: first.envelope,
      deliveries: rows.map((row) => ({
        recipientId: row.recipient_id,
        state: row.state,
        reported: row.recipient_statuscode === null ? undefined : { statuscode: row.recipient_statuscode, foutcode: row.recipient_foutcode ?? undefined },
      })),
    };
  }

  async record(tx: Queryable, kenmerk: string, recipientIds: readonly string[], status: ReportedStatus): Promise<void> {
    if (recipientIds.length === 0) return;
    await tx.query(
      prepared(
        'recipient-statuses.record',
        `UPDATE deliveries SET recipient_statuscode = $3, recipient_foutcode = $4, recipient_reported_at = now()
          WHERE kenmerk = $1 AND recipient_id = ANY($2::text[])`,
        [kenmerk, [...recipientIds], status.statuscode, status.foutcode ?? null],
      ),
    );
  }
}
