import type { BerichtLijstResultaat, BerichtResultaat } from '@poort/wus';

import { deliveryMessageId } from '../delivery/attempt-outcome.js';
import type { MailboxEntry } from './mailbox.repository.js';
import type { FetchedBericht } from './mailbox.service.js';

/**
 * A fetched message as the OphaalService answers it. berichtkenmerk is the stable message id of this delivery (the
 * same a push recipient gets), identiteitAanleveraar the sender's OIN.
 */
export function berichtResultaat({ entry, content, attachments }: FetchedBericht): BerichtResultaat {
  const { envelope, payload } = entry;
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
    berichtInhoud: { mimeType: payload.mimeType, bestandsnaam: payload.bestandsnaam, inhoud: content },
    berichtBijlagen: attachments.map(({ ref, content: inhoud }) => ({ mimeType: ref.mimeType, bestandsnaam: ref.bestandsnaam, inhoud })),
  };
}

export function berichtLijstResultaat({ envelope }: MailboxEntry): BerichtLijstResultaat {
  return { berichtsoort: envelope.berichtsoort, identiteitBelanghebbende: envelope.identiteitBelanghebbende, kenmerk: envelope.kenmerk };
}
