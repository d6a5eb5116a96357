import type { Identiteit } from '@poort/contracts';

import { NS } from './namespaces.js';
import type { BerichtBestand, BerichtenLijstOperation, BerichtenOperation, BerichtLijstResultaat, BerichtResultaat } from './ophaal-types.js';
import { element, leaf } from './xml-writer.js';

// Payload elements in the koppelvlak namespace (as the default namespace), children in XSD sequence order.

const root = (name: string, ...children: string[]) => `<${name} xmlns="${NS.kv}">${children.join('')}</${name}>`;

const identiteit = (name: string, value: Identiteit | undefined) =>
  value === undefined ? '' : element(name, leaf('nummer', value.nummer), leaf('type', value.type));

const bestand = (name: string, file: BerichtBestand) =>
  element(name, leaf('mimeType', file.mimeType), leaf('bestandsnaam', file.bestandsnaam), leaf('inhoud', Buffer.from(file.inhoud).toString('base64')));

const berichtResultaat = (bericht: BerichtResultaat) =>
  element(
    'BerichtResultaat',
    leaf('kenmerk', bericht.kenmerk),
    leaf('berichtsoort', bericht.berichtsoort),
    leaf('berichtkenmerk', bericht.berichtkenmerk),
    leaf('aanleverkenmerk', bericht.aanleverkenmerk),
    leaf('eerderAanleverkenmerk', bericht.eerderAanleverkenmerk),
    leaf('tijdstempelAangeleverd', bericht.tijdstempelAangeleverd),
    identiteit('identiteitBelanghebbende', bericht.identiteitBelanghebbende),
    leaf('rolBelanghebbende', bericht.rolBelanghebbende),
    leaf('identiteitAanleveraar', bericht.identiteitAanleveraar),
    identiteit('identiteitOntvanger', bericht.identiteitOntvanger),
    leaf('rolOntvanger', bericht.rolOntvanger),
    bestand('berichtInhoud', bericht.berichtInhoud),
    bericht.berichtBijlagen && bericht.berichtBijlagen.length > 0
      ? element('berichtBijlagen', ...bericht.berichtBijlagen.map((bijlage) => bestand('bijlage', bijlage)))
      : '',
  );

/** getBerichtenResponse, getNieuweBerichtenResponse, getBerichtenKenmerkResponse, getNieuweBerichtenKenmerkResponse. */
export function berichtenResponseXml(operation: BerichtenOperation, berichten: readonly BerichtResultaat[]): string {
  return root(`${operation}Response`, element(`${operation}Return`, ...berichten.map(berichtResultaat)));
}

/** getBerichtenLijstResponse and getNieuweBerichtenLijstResponse: berichtsoort, identiteitBelanghebbende and kenmerk only. */
export function berichtenLijstResponseXml(operation: BerichtenLijstOperation, berichten: readonly BerichtLijstResultaat[]): string {
  return root(
    `${operation}Response`,
    element(
      `${operation}Return`,
      ...berichten.map((bericht) =>
        element('BerichtLijstResultaat', leaf('berichtsoort', bericht.berichtsoort), identiteit('identiteitBelanghebbende', bericht.identiteitBelanghebbende), leaf('kenmerk', bericht.kenmerk)),
      ),
    ),
  );
}
