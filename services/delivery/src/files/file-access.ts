import type { PayloadRef } from '@poort/contracts';
import type { MessageCatalog } from '@poort/message-types';
import type { ClientIdentity } from '@poort/pki';

import type { DeliveriesRepository } from '../delivery/deliveries.repository.js';
import type { LargeContentNotices } from './large-content.js';

/** A file a recipient may fetch: the large content of one of its deliveries. */
export interface FetchableFile {
  readonly kenmerk: string;
  readonly recipientId: string;
  readonly payload: PayloadRef;
  /** The strong validator of its bytes: their SHA-256, quoted. */
  readonly etag: string;
}

/**
 * Who may fetch a message's file: a recipient (by the OIN of its client certificate, as Grote Berichten authorises)
 * with a delivery of that message whose content was too large to push, until the notice's expirationTime. Anyone
 * else, and a file that does not exist or expired, is the same nothing.
 */
export class FileAccess {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly catalog: MessageCatalog,
    private readonly notices: LargeContentNotices,
  ) {}

  async find(caller: ClientIdentity, kenmerk: string, now = new Date()): Promise<FetchableFile | undefined> {
    const rows = await this.deliveries.filesOf(kenmerk);
    const mine = rows.find(
      (row) =>
        this.catalog.findRecipient(row.recipientId)?.oin === caller.oin &&
        this.notices.isLarge(row.payload) &&
        this.notices.expiresAt(row.createdAt).getTime() > now.getTime(),
    );
    return mine && { kenmerk, recipientId: mine.recipientId, payload: mine.payload, etag: `"${mine.payload.sha256}"` };
  }
}
