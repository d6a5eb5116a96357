import { createHash } from 'node:crypto';

import type { PayloadRef } from '@poort/contracts';

import { GB_NOTICE_MIME_TYPE, groteBerichtenFilename, groteBerichtenNotice } from './grote-berichten-notice.js';

export const LARGE_CONTENT_SETTINGS = Symbol('large-content-settings');
export interface LargeContentSettings {
  /** Larger contents are not delivered inline: their recipients get a notice and fetch them (DELIVERY_INLINE_MAX_BYTES). */
  readonly inlineMaxBytes: number;
  /** How long after its delivery was requested a file can be fetched (DELIVERY_FILES_RETENTION_MS). */
  readonly retentionMs: number;
  /** The public https URL of the file endpoint, without the trailing slash (DELIVERY_FILES_BASE_URL). */
  readonly baseUrl: string;
}

/** One message's delivery to one recipient, as far as its file is concerned. */
export interface FileDelivery {
  readonly kenmerk: string;
  readonly payload: PayloadRef;
  /** When the delivery to this recipient was requested: the file's creationTime, from which its expiry runs. */
  readonly createdAt: Date;
}

/** What a recipient receives in place of a large content. */
export interface DeliveredNotice {
  readonly ref: PayloadRef;
  readonly bytes: Buffer;
}

/** The path of a message's file under the file endpoint (the recipient's OIN decides who may fetch it). */
export const filePath = (kenmerk: string): string => `/api/v1/bestanden/${encodeURIComponent(kenmerk)}`;

/**
 * Digikoppeling Grote Berichten for what is too large to push (domain 3.3): the recipient gets, over its own channel,
 * a notice with the file's checksum, size and URL, and fetches the file from the delivery service. The notice is made
 * of the delivery alone, so every attempt and every fetch from a mailbox delivers the same document.
 */
export class LargeContentNotices {
  constructor(private readonly settings: LargeContentSettings) {}

  isLarge(payload: Pick<PayloadRef, 'size'>): boolean {
    return payload.size > this.settings.inlineMaxBytes;
  }

  expiresAt(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.settings.retentionMs);
  }

  noticeFor({ kenmerk, payload, createdAt }: FileDelivery): DeliveredNotice {
    const filename = groteBerichtenFilename(kenmerk, payload.bestandsnaam);
    const bytes = Buffer.from(
      groteBerichtenNotice({
        contextId: kenmerk,
        creationTime: createdAt,
        expirationTime: this.expiresAt(createdAt),
        contentType: payload.mimeType,
        filename,
        sha256: payload.sha256,
        size: payload.size,
        senderUrl: `${this.settings.baseUrl}${filePath(kenmerk)}`,
      }),
    );
    // The notice is never stored: its ref keeps the content's id but describes the notice's own bytes.
    const ref: PayloadRef = {
      id: payload.id,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      mimeType: GB_NOTICE_MIME_TYPE,
      bestandsnaam: `${filename}.gb.xml`,
    };
    return { ref, bytes };
  }
}
