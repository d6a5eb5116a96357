/** Koppelvlak 1.2 types (digipoort-koppelvlak-1.2.xsd), as plain objects. */
export interface Identiteit {
  readonly nummer: string;
  readonly type: string;
}

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

export interface Fout {
  readonly foutcode: string;
  readonly foutbeschrijving: string;
}

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
  readonly statusFoutcode?: Fout;
  readonly statusdetails?: string;
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

export interface StatusResultaat {
  readonly kenmerk: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly statuscode: string;
  readonly tijdstempelStatus: string;
  readonly statusomschrijving: string;
  readonly statusFoutcode?: Fout;
  readonly statusdetails?: string;
}

export interface ProcesResultaat {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly identiteitOntvanger?: Identiteit;
}
