import type { BerichtBestand, BerichtLijstResultaat, BerichtResultaat } from '@poort/wus';

import { deliveryMessageId } from '../delivery/attempt-outcome.js';
import type { MailboxEntry } from './mailbox.repository.js';
import type { FetchedBestand } from './mailbox-encryption.js';
import type { FetchedBericht } from './mailbox.service.js';

/**
 * A fetched message as the OphaalService answers it. berichtkenmerk is the stable message id of this delivery (the
 * same a push recipient gets), identiteitAanleveraar the sender's OIN. An encrypted file is the EncryptedData
 * (mimeType application/xenc+xml, as the afleverservice delivers it; its own MIME type is inside).
 */
export function berichtResultaat({ entry, berichtInhoud, berichtBijlagen }: FetchedBericht): BerichtResultaat {
  const { envelope } = entry;
  return {
    kenmerk: envelope.kenmerk,
    berichtsoort: envelope.berichtsoort,
    berichtkenmerk: deliveryMessageId(envelope.kenmerk, entry.recipientId),
    ...(envelope.aanleverkenmerk === undefined ? {} : { aanleverkenmerk: envelope.aanleverkenmerk }),
    ...(envelope.eerderAanleverkenmerk === undefined ? {} : { eerderAanleverkenmerk: envelope.eerderAanleverkenmerk }),
    tijdstempelAangeleverd: envelope.tijdstempelAangeleverd,
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    rolBelanghebbende: envelope.rolBelanghebbende,
    identiteitAanleveraar: envelope.sender.oin,
    ...(envelope.identiteitOntvanger === undefined ? {} : { identiteitOntvanger: envelope.identiteitOntvanger }),
    ...(envelope.rolOntvanger === undefined ? {} : { rolOntvanger: envelope.rolOntvanger }),
    berichtInhoud: bestand(berichtInhoud),
    berichtBijlagen: berichtBijlagen.map(bestand),
  };
}

export function berichtLijstResultaat({ envelope }: MailboxEntry): BerichtLijstResultaat {
  return { berichtsoort: envelope.berichtsoort, identiteitBelanghebbende: envelope.identiteitBelanghebbende, kenmerk: envelope.kenmerk };
}

const bestand = ({ mimeType, bestandsnaam, inhoud }: FetchedBestand): BerichtBestand => ({ mimeType, bestandsnaam, inhoud });
