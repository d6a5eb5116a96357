import type { Foutmelding, Identiteit } from '@poort/contracts';

/** Koppelvlak 1.2 request types (digipoort-koppelvlak-1.2.xsd), as plain objects; the answers are in @poort/contracts. */
export type { AanleverResponse, Identiteit, ProcesResultaat, StatusResultaat } from '@poort/contracts';
export type Fout = Foutmelding;

export interface Bestand {
  readonly mimeType: string;
  readonly bestandsnaam: string;
  /** base64, whitespace removed. */
  readonly inhoud: string;
}

export interface AanleverRequest {
  readonly kenmerk?: string;
  readonly berichtsoort: string;
  readonly aanleverkenmerk?: string;
  readonly eerderAanleverkenmerk?: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly rolBelanghebbende: string;
  readonly identiteitOntvanger?: Identiteit;
  readonly rolOntvanger?: string;
  readonly berichtInhoud: Bestand;
  readonly berichtBijlagen?: readonly Bestand[];
  readonly autorisatieAdres?: string;
}



export interface TimeWindow {
  readonly tijdstempelVanaf?: Date;
  readonly tijdstempelTot?: Date;
}

/** getStatussenProces and getNieuweStatussenProces. */
export interface StatussenProcesRequest extends TimeWindow {
  readonly kenmerk: string;
  readonly autorisatieAdres?: string;
}

export interface NieuweStatussenRequest extends TimeWindow {
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly autorisatieAdres?: string;
}

export interface ProcessenRequest {
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly autorisatieAdres?: string;
}

export interface BerichtsoortenRequest {
  readonly identiteitBelanghebbende: Identiteit;
  readonly autorisatieAdres?: string;
}

/** zetStatus: a recipient's own processing result for a message delivered to it. */
export interface ZetStatusRequest {
  readonly kenmerk: string;
  readonly berichtkenmerk?: string;
  readonly statuscode: string;
  readonly tijdstempelStatus: Date;
  readonly statusFoutcode?: Fout;
  readonly statusdetails?: string;
}
