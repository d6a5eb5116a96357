import type { Envelope } from '@poort/contracts';
import type { AfleverRequest } from '@poort/wus';

/** What an afleverRequest (push) and a BerichtResultaat (mailbox) both say of a message, from its envelope. */
export type KoppelvlakFields = Pick<
  AfleverRequest,
  | 'kenmerk'
  | 'berichtsoort'
  | 'berichtkenmerk'
  | 'aanleverkenmerk'
  | 'tijdstempelAangeleverd'
  | 'identiteitBelanghebbende'
  | 'rolBelanghebbende'
  | 'identiteitAanleveraar'
  | 'identiteitOntvanger'
  | 'rolOntvanger'
>;

/**
 * The envelope as the koppelvlak names it, the same whichever way a recipient receives. berichtkenmerk is Poort's
 * kenmerk: the unique id of the submission (Poort keeps no other message id of it); identiteitAanleveraar is the
 * sender's OIN, who physically submitted it.
 */
export function koppelvlakFields(envelope: Envelope): KoppelvlakFields {
  return {
    kenmerk: envelope.kenmerk,
    berichtsoort: envelope.berichtsoort,
    berichtkenmerk: envelope.kenmerk,
    ...(envelope.aanleverkenmerk === undefined ? {} : { aanleverkenmerk: envelope.aanleverkenmerk }),
    tijdstempelAangeleverd: envelope.tijdstempelAangeleverd,
    identiteitBelanghebbende: envelope.identiteitBelanghebbende,
    rolBelanghebbende: envelope.rolBelanghebbende,
    identiteitAanleveraar: envelope.sender.oin,
    ...(envelope.identiteitOntvanger === undefined ? {} : { identiteitOntvanger: envelope.identiteitOntvanger }),
    ...(envelope.rolOntvanger === undefined ? {} : { rolOntvanger: envelope.rolOntvanger }),
  };
}
