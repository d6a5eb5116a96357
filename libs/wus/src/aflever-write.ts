import type { AfleverRequest, AfleverResponse } from './aflever-types.js';
import type { Bestand, Fout, Identiteit } from './koppelvlak-types.js';
import { NS } from './namespaces.js';
import { element, leaf } from './xml-writer.js';

/** A value that the koppelvlak XSD would refuse: the request is not written (and not sent). */
export class AfleverRequestError extends Error {
  override readonly name = 'AfleverRequestError';
  readonly code = 'AFLEVER_REQUEST_INVALID';
}

/** The XSD's maxLength of each text field of afleverRequest (after whiteSpace collapse, as the validator counts). */
const MAX_LENGTH = {
  kenmerk: 40,
  berichtsoort: 80,
  berichtkenmerk: 256,
  aanleverkenmerk: 40,
  rol: 40,
  identiteitAanleveraar: 35,
  nummer: 35,
  type: 20,
  mimeType: 255,
  bestandsnaam: 80,
  constateringCode: 20,
  constateringBeschrijving: 1_048_576,
  elementNaam: 40,
  elementWaarde: 255,
  foutcode: 20,
  foutbeschrijving: 1_048_576,
  statuscode: 20,
  statusomschrijving: 80,
  statusdetails: 1_048_576,
} as const;
/** inhoud: xsd:base64Binary with maxLength 20 MiB, counted in decoded octets. */
const MAX_INHOUD_BYTES = 20_971_520;

/** Characters XML 1.0 cannot carry at all, escaped or not. */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const collapse = (text: string) => text.replace(/[\t\n\r ]+/g, ' ').trim();

function text(field: string, value: string, max: number): string {
  if (NOT_XML_CHAR.test(value)) throw new AfleverRequestError(`${field} bevat een teken dat XML niet kan bevatten`);
  // Lengths in characters (code points), as XML Schema counts them.
  const length = [...collapse(value)].length;
  if (length > max) throw new AfleverRequestError(`${field} is ${length} tekens lang; het koppelvlak staat er ten hoogste ${max} toe`);
  return value;
}

const optionalText = (field: string, value: string | undefined, max: number) => (value === undefined ? undefined : text(field, value, max));

const identiteit = (name: string, value: Identiteit | undefined) =>
  value === undefined
    ? ''
    : element(name, leaf('nummer', text(`${name}/nummer`, value.nummer, MAX_LENGTH.nummer)), leaf('type', text(`${name}/type`, value.type, MAX_LENGTH.type)));

function bestand(name: string, value: Bestand): string {
  if (!BASE64.test(value.inhoud) || value.inhoud.length % 4 !== 0) throw new AfleverRequestError(`${name}/inhoud is geen base64`);
  const octets = (value.inhoud.length / 4) * 3 - (value.inhoud.endsWith('==') ? 2 : value.inhoud.endsWith('=') ? 1 : 0);
  if (octets > MAX_INHOUD_BYTES) throw new AfleverRequestError(`${name}/inhoud is ${octets} bytes; het koppelvlak staat er ten hoogste ${MAX_INHOUD_BYTES} toe`);
  return element(
    name,
    leaf('mimeType', text(`${name}/mimeType`, value.mimeType, MAX_LENGTH.mimeType)),
    leaf('bestandsnaam', text(`${name}/bestandsnaam`, value.bestandsnaam, MAX_LENGTH.bestandsnaam)),
    `<inhoud>${value.inhoud}</inhoud>`,
  );
}

/** A list element, left out when empty: the XSD's lists hold at least one item. */
const list = <T>(name: string, items: readonly T[] | undefined, item: (value: T) => string) =>
  items === undefined || items.length === 0 ? '' : element(name, ...items.map(item));

const fout = (name: string, value: Fout | undefined) =>
  value === undefined
    ? ''
    : element(
        name,
        leaf('foutcode', text(`${name}/foutcode`, value.foutcode, MAX_LENGTH.foutcode)),
        leaf('foutbeschrijving', text(`${name}/foutbeschrijving`, value.foutbeschrijving, MAX_LENGTH.foutbeschrijving)),
      );

/**
 * The afleverRequest element (koppelvlak namespace as default namespace), children in XSD sequence order. Every
 * value is checked against the XSD's limits first: a value it would refuse throws {@link AfleverRequestError}.
 */
export function afleverRequestXml(request: AfleverRequest): string {
  return `<afleverRequest xmlns="${NS.kv}">${[
    leaf('kenmerk', text('kenmerk', request.kenmerk, MAX_LENGTH.kenmerk)),
    leaf('berichtsoort', text('berichtsoort', request.berichtsoort, MAX_LENGTH.berichtsoort)),
    leaf('berichtkenmerk', text('berichtkenmerk', request.berichtkenmerk, MAX_LENGTH.berichtkenmerk)),
    leaf('aanleverkenmerk', optionalText('aanleverkenmerk', request.aanleverkenmerk, MAX_LENGTH.aanleverkenmerk)),
    leaf('tijdstempelAangeleverd', dateTime('tijdstempelAangeleverd', request.tijdstempelAangeleverd)),
    identiteit('identiteitBelanghebbende', request.identiteitBelanghebbende),
    leaf('rolBelanghebbende', text('rolBelanghebbende', request.rolBelanghebbende, MAX_LENGTH.rol)),
    leaf('identiteitAanleveraar', optionalText('identiteitAanleveraar', request.identiteitAanleveraar, MAX_LENGTH.identiteitAanleveraar)),
    identiteit('identiteitOntvanger', request.identiteitOntvanger),
    leaf('rolOntvanger', optionalText('rolOntvanger', request.rolOntvanger, MAX_LENGTH.rol)),
    bestand('berichtInhoud', request.berichtInhoud),
    list('berichtBijlagen', request.berichtBijlagen, (bijlage) => bestand('bijlage', bijlage)),
    list('constateringenLijst', request.constateringenLijst, (constatering) =>
      element(
        'constatering',
        leaf('code', text('constatering/code', constatering.code, MAX_LENGTH.constateringCode)),
        leaf('beschrijving', text('constatering/beschrijving', constatering.beschrijving, MAX_LENGTH.constateringBeschrijving)),
      ),
    ),
    list('additioneleElementenLijst', request.additioneleElementenLijst, (extra) =>
      element('element', leaf('naam', text('element/naam', extra.naam, MAX_LENGTH.elementNaam)), leaf('waarde', text('element/waarde', extra.waarde, MAX_LENGTH.elementWaarde))),
    ),
  ].join('')}</afleverRequest>`;
}

/** The afleverResponse element: what a recipient's afleverservice answers (Poort's test recipient writes it). */
export function afleverResponseXml(response: AfleverResponse): string {
  return `<afleverResponse xmlns="${NS.kv}">${[
    leaf('kenmerk', text('kenmerk', response.kenmerk, MAX_LENGTH.kenmerk)),
    leaf('berichtsoort', optionalText('berichtsoort', response.berichtsoort, MAX_LENGTH.berichtsoort)),
    leaf('berichtkenmerk', text('berichtkenmerk', response.berichtkenmerk, MAX_LENGTH.berichtkenmerk)),
    leaf('tijdstempelAfgeleverd', dateTime('tijdstempelAfgeleverd', response.tijdstempelAfgeleverd)),
    leaf('statuscode', optionalText('statuscode', response.statuscode, MAX_LENGTH.statuscode)),
    leaf('tijdstempelStatus', response.tijdstempelStatus === undefined ? undefined : dateTime('tijdstempelStatus', response.tijdstempelStatus)),
    leaf('statusomschrijving', optionalText('statusomschrijving', response.statusomschrijving, MAX_LENGTH.statusomschrijving)),
    fout('statusFoutcode', response.statusFoutcode),
    leaf('statusdetails', optionalText('statusdetails', response.statusdetails, MAX_LENGTH.statusdetails)),
  ].join('')}</afleverResponse>`;
}

/** xsd:dateTime's lexical form (date, time, optional fraction and zone). */
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function dateTime(field: string, value: string): string {
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) throw new AfleverRequestError(`${field} ${value} is geen xsd:dateTime`);
  return value;
}
