import type { Identiteit } from '@poort/contracts';

import type { TimeWindow } from './koppelvlak-types.js';

/** OphaalService requests and answers (digipoort-koppelvlak-1.2.xsd), as plain objects. */

/** getBerichten and getNieuweBerichten: the caller's messages about one belanghebbende, of one berichtsoort or all. */
export interface BerichtenRequest extends TimeWindow {
  readonly berichtsoort?: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly autorisatieAdres?: string;
}

/** getBerichtenKenmerk and getNieuweBerichtenKenmerk: the caller's message(s) of one process. */
export interface BerichtenKenmerkRequest extends TimeWindow {
  readonly kenmerk: string;
  readonly autorisatieAdres?: string;
}

/** getBerichtenLijst and getNieuweBerichtenLijst: what is there, without content. */
export interface BerichtenLijstRequest extends TimeWindow {
  readonly berichtsoort?: string;
  readonly autorisatieAdres?: string;
}

/** berichtInhoudType: one file, its bytes as they are (the writer encodes them). */
export interface BerichtBestand {
  readonly mimeType: string;
  readonly bestandsnaam: string;
  readonly inhoud: Uint8Array;
}

/** BerichtResultaat, in XSD order; constateringenLijst and additioneleElementenLijst are not kept by Poort. */
export interface BerichtResultaat {
  readonly kenmerk: string;
  readonly berichtsoort: string;
  readonly berichtkenmerk: string;
  readonly aanleverkenmerk?: string;
  readonly eerderAanleverkenmerk?: string;
  /** xs:dateTime */
  readonly tijdstempelAangeleverd: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly rolBelanghebbende: string;
  readonly identiteitAanleveraar?: string;
  readonly identiteitOntvanger?: Identiteit;
  readonly rolOntvanger?: string;
  readonly berichtInhoud: BerichtBestand;
  readonly berichtBijlagen?: readonly BerichtBestand[];
}

/** BerichtLijstResultaat: what the Lijst variants answer. */
export interface BerichtLijstResultaat {
  readonly berichtsoort: string;
  readonly identiteitBelanghebbende: Identiteit;
  readonly kenmerk: string;
}

export type BerichtenOperation = 'getBerichten' | 'getNieuweBerichten' | 'getBerichtenKenmerk' | 'getNieuweBerichtenKenmerk';
export type BerichtenLijstOperation = 'getBerichtenLijst' | 'getNieuweBerichtenLijst';
