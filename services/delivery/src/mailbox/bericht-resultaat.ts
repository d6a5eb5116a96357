import type { BerichtBestand, BerichtLijstResultaat, BerichtResultaat } from '@poort/wus';

import { koppelvlakFields } from '../delivery/koppelvlak-fields.js';
import type { MailboxEntry } from './mailbox.repository.js';
import type { FetchedBestand } from './mailbox-encryption.js';
import type { FetchedBericht } from './mailbox.service.js';

/**
 * A fetched message as the OphaalService answers it: the envelope as the koppelvlak names it (koppelvlakFields, as a
 * WUS push has it). An encrypted file is the EncryptedData (mimeType application/xenc+xml, as the afleverservice
 * delivers it; its own MIME type is inside).
 */
export function berichtResultaat({ entry, berichtInhoud, berichtBijlagen }: FetchedBericht): BerichtResultaat {
  const { envelope } = entry;
  return {
    ...koppelvlakFields(envelope),
    ...(envelope.eerderAanleverkenmerk === undefined ? {} : { eerderAanleverkenmerk: envelope.eerderAanleverkenmerk }),
    berichtInhoud: bestand(berichtInhoud),
    berichtBijlagen: berichtBijlagen.map(bestand),
  };
}

export function berichtLijstResultaat({ envelope }: MailboxEntry): BerichtLijstResultaat {
  return { berichtsoort: envelope.berichtsoort, identiteitBelanghebbende: envelope.identiteitBelanghebbende, kenmerk: envelope.kenmerk };
}

const bestand = ({ mimeType, bestandsnaam, inhoud }: FetchedBestand): BerichtBestand => ({ mimeType, bestandsnaam, inhoud });
