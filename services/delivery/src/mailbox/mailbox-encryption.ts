import type { PayloadRef } from '@poort/contracts';
import type { Recipient } from '@poort/message-types';
import { encryptForRecipient, loadRecipientCertificate, type RecipientCertificate, type RecipientEncryptionFormat } from '@poort/recipient-encryption';

import { DeliveryCredentialsError, type DeliveryCredentials } from '../delivery/delivery-credentials.js';

/** A file of a fetched message as it is answered: as stored, or encrypted for the recipient. */
export interface FetchedBestand {
  /** The MIME type of `inhoud`: the file's own, or the encrypted form's (application/xenc+xml, application/jose). */
  readonly mimeType: string;
  readonly bestandsnaam: string;
  readonly inhoud: Buffer;
  /** The file's own MIME type, when `inhoud` is it encrypted. */
  readonly plainMimeType?: string;
}

/**
 * Content for pull recipients whose profile says `encrypt`: each file (berichtInhoud, each bijlage) encrypted for
 * the recipient's certificate (its profile's `certificate`, read at start-up by DeliveryCredentials), in the form of
 * the protocol it is fetched over: XML Encryption over WUS, a compact JWE over REST. Any other recipient gets its
 * files as stored.
 */
export class MailboxEncryption {
  private readonly certificates = new Map<string, RecipientCertificate>();

  /** A pull recipient that wants encryption and whose certificate cannot serve refuses the start. */
  constructor(credentials: DeliveryCredentials, recipients: readonly Recipient[]) {
    for (const recipient of recipients) {
      if (recipient.channel !== 'pull' || !recipient.encrypt) continue;
      const certificate = credentials.pinnedCertificateOf(recipient);
      if (!certificate) throw new DeliveryCredentialsError(`recipient ${recipient.id} wants encryption (encrypt: true) and has no certificate`);
      this.certificates.set(recipient.id, loadRecipientCertificate(certificate));
    }
  }

  /** Whether what this recipient fetches is encrypted. */
  encrypts(recipientId: string): boolean {
    return this.certificates.has(recipientId);
  }

  async bestand(recipientId: string, ref: PayloadRef, bytes: Buffer, format: RecipientEncryptionFormat): Promise<FetchedBestand> {
    const certificate = this.certificates.get(recipientId);
    if (!certificate) return { mimeType: ref.mimeType, bestandsnaam: ref.bestandsnaam, inhoud: bytes };
    const encrypted = await encryptForRecipient(bytes, certificate, { format, mimeType: ref.mimeType });
    return { mimeType: encrypted.mediaType, bestandsnaam: ref.bestandsnaam, inhoud: encrypted.bytes, plainMimeType: ref.mimeType };
  }
}
