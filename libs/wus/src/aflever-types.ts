import type { Bestand, Fout, Identiteit } from './koppelvlak-types.js';

/** A finding from Poort's processing, passed on to the recipient (constateringType). */
export interface Constatering {
  readonly code: string;
  readonly beschrijving: string;
}

/** A name/value extra (elementType of additioneleElementenLijst). */
export interface AdditioneelElement {
  readonly naam: string;
  readonly waarde: string;
}

/** afleverRequest of the afleverservice (digipoort-koppelvlak-1.2.xsd, domain.md 2.2): what Poort hands a recipient. */
export interface AfleverRequest {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  /** The message id of the submission that started the process (≤ 256). */
  readonly berichtkenmerk: string;
  readonly aanleverkenmerk?: string;
  /** xsd:dateTime. */
  readonly tijdstempelAangeleverd: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly rolBelanghebbende: string;
  /** Who physically submitted the message (≤ 35): the sender's OIN. */
  readonly identiteitAanleveraar?: string;
  readonly identiteitOntvanger?: Identiteit;
  readonly rolOntvanger?: string;
  readonly berichtInhoud: Bestand;
  readonly berichtBijlagen?: readonly Bestand[];
  readonly constateringenLijst?: readonly Constatering[];
  readonly additioneleElementenLijst?: readonly AdditioneelElement[];
}

/** afleverResponse: the recipient has the message since tijdstempelAfgeleverd. */
export interface AfleverResponse {
  readonly kenmerk: string;
  readonly berichtsoort?: string;
  readonly berichtkenmerk: string;
  /** xsd:dateTime, as the recipient wrote it. */
  readonly tijdstempelAfgeleverd: string;
  readonly statuscode?: string;
  readonly tijdstempelStatus?: string;
  readonly statusomschrijving?: string;
  readonly statusFoutcode?: Fout;
  readonly statusdetails?: string;
}

/** A soap:Fault as a WUS service sends it: faultcode's local part (Client, Server) and the koppelvlak foutType detail. */
export interface SoapFaultAnswer {
  readonly faultcode: string;
  readonly faultstring: string;
  /** The detail's foutType (afleverFault, or any koppelvlak fault element), when the fault has one. */
  readonly fout?: Fout;
}
