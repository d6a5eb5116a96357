import type { XmlElement } from '@poort/xml';

import { Children, identiteit, window } from './koppelvlak-read.js';
import type { BerichtenKenmerkRequest, BerichtenLijstRequest, BerichtenRequest } from './ophaal-types.js';

// As the koppelvlak readers: the element was validated against digipoort-koppelvlak-1.2.xsd first.

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);

/** getBerichtenRequest and getNieuweBerichtenRequest. */
export function readBerichtenRequest(element: XmlElement): BerichtenRequest {
  const c = new Children(element);
  return {
    ...optional('berichtsoort', c.text('berichtsoort')),
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    ...optional('autorisatieAdres', c.text('autorisatieAdres')),
    ...window(c),
  };
}

/** getBerichtenKenmerkRequest and getNieuweBerichtenKenmerkRequest. */
export function readBerichtenKenmerkRequest(element: XmlElement): BerichtenKenmerkRequest {
  const c = new Children(element);
  return { kenmerk: c.requiredText('kenmerk'), ...optional('autorisatieAdres', c.text('autorisatieAdres')), ...window(c) };
}

/** getBerichtenLijstRequest and getNieuweBerichtenLijstRequest. */
export function readBerichtenLijstRequest(element: XmlElement): BerichtenLijstRequest {
  const c = new Children(element);
  return { ...optional('berichtsoort', c.text('berichtsoort')), ...optional('autorisatieAdres', c.text('autorisatieAdres')), ...window(c) };
}
