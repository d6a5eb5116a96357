import type { Identiteit } from './envelope.js';
import type { Foutmelding } from './events.js';

/**
 * What Poort answers in Digipoort's koppelvlak 1.2 terms (digipoort-koppelvlak-1.2.xsd), whichever channel asks:
 * the REST API returns these as JSON, the WUS endpoints write them as XML.
 */

/** aanleverResponse: the receipt, given only once the message is durable. */
export interface AanleverResponse {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly aanleverkenmerk?: string;
  readonly eerderAanleverkenmerk?: string;
  readonly tijdstempelAangeleverd: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly rolBelanghebbende: string;
  readonly identiteitOntvanger?: Identiteit;
  readonly rolOntvanger?: string;
  readonly autorisatieAdres?: string;
  readonly statuscode?: string;
  readonly tijdstempelStatus?: string;
  readonly statusomschrijving?: string;
  readonly statusFoutcode?: Foutmelding;
  readonly statusdetails?: string;
}

/** StatusResultaat of the statusinformatieservice. */
export interface StatusResultaat {
  readonly kenmerk: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly statuscode: string;
  readonly tijdstempelStatus: string;
  readonly statusomschrijving: string;
  readonly statusFoutcode?: Foutmelding;
  readonly statusdetails?: string;
}

/** ProcesResultaat of getProcessen. */
export interface ProcesResultaat {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly identiteitOntvanger?: Identiteit;
}
