import type { XmlElement } from '@poort/xml';

import type { AdditioneelElement, AfleverRequest, AfleverResponse, Constatering, SoapFaultAnswer } from './aflever-types.js';
import { Children, bestand, identiteit } from './koppelvlak-read.js';
import type { Fout } from './koppelvlak-types.js';
import { NS } from './namespaces.js';
import { childElements } from './soap-request.js';

// Like koppelvlak-read.ts: the element was validated against digipoort-koppelvlak-1.2.xsd first.

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);

function fout(element: XmlElement | undefined): Fout | undefined {
  if (element === undefined) return undefined;
  const children = new Children(element);
  return { foutcode: children.requiredText('foutcode'), foutbeschrijving: children.requiredText('foutbeschrijving') };
}

/** The afleverRequest a recipient received (the test recipient's side of the afleverservice). */
export function readAfleverRequest(element: XmlElement): AfleverRequest {
  const c = new Children(element);
  const ontvanger = c.element('identiteitOntvanger');
  const bijlagen = c.element('berichtBijlagen');
  const constateringen = c.element('constateringenLijst');
  const extras = c.element('additioneleElementenLijst');
  return {
    kenmerk: c.requiredText('kenmerk'),
    berichtsoort: c.requiredText('berichtsoort'),
    berichtkenmerk: c.requiredText('berichtkenmerk'),
    ...optional('aanleverkenmerk', c.text('aanleverkenmerk')),
    tijdstempelAangeleverd: c.requiredText('tijdstempelAangeleverd'),
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    rolBelanghebbende: c.requiredText('rolBelanghebbende'),
    ...optional('identiteitAanleveraar', c.text('identiteitAanleveraar')),
    ...optional('identiteitOntvanger', ontvanger === undefined ? undefined : identiteit(ontvanger)),
    ...optional('rolOntvanger', c.text('rolOntvanger')),
    berichtInhoud: bestand(c.required('berichtInhoud')),
    ...optional('berichtBijlagen', bijlagen === undefined ? undefined : new Children(bijlagen).all('bijlage').map(bestand)),
    ...optional(
      'constateringenLijst',
      constateringen === undefined
        ? undefined
        : new Children(constateringen).all('constatering').map((item): Constatering => {
            const parts = new Children(item);
            return { code: parts.requiredText('code'), beschrijving: parts.requiredText('beschrijving') };
          }),
    ),
    ...optional(
      'additioneleElementenLijst',
      extras === undefined
        ? undefined
        : new Children(extras).all('element').map((item): AdditioneelElement => {
            const parts = new Children(item);
            return { naam: parts.requiredText('naam'), waarde: parts.requiredText('waarde') };
          }),
    ),
  };
}

/** The recipient's afleverResponse. */
export function readAfleverResponse(element: XmlElement): AfleverResponse {
  const c = new Children(element);
  return {
    kenmerk: c.requiredText('kenmerk'),
    ...optional('berichtsoort', c.text('berichtsoort')),
    berichtkenmerk: c.requiredText('berichtkenmerk'),
    tijdstempelAfgeleverd: c.requiredText('tijdstempelAfgeleverd'),
    ...optional('statuscode', c.text('statuscode')),
    ...optional('tijdstempelStatus', c.text('tijdstempelStatus')),
    ...optional('statusomschrijving', c.text('statusomschrijving')),
    ...optional('statusFoutcode', fout(c.element('statusFoutcode'))),
    ...optional('statusdetails', c.text('statusdetails')),
  };
}

/** Whether a soap:Body child is a SOAP 1.1 Fault. */
export const isSoapFault = (element: XmlElement): boolean => element.namespaceUri === NS.soap11 && element.name === 'Fault';

const MAX_FAULT_TEXT = 1_000;
const shortText = (text: string | undefined) => {
  const collapsed = (text ?? '').replace(/[\t\n\r ]+/g, ' ').trim();
  return collapsed.length > MAX_FAULT_TEXT ? `${collapsed.slice(0, MAX_FAULT_TEXT)}…` : collapsed;
};

/**
 * A soap:Fault (SOAP 1.1: faultcode, faultstring, detail without namespace). The foutType is the detail's first
 * koppelvlak element that has a foutcode; a fault without one is still read (faultcode and faultstring). Texts are
 * cut to 1,000 characters: they end up in a status a sender reads.
 */
export function readSoapFault(fault: XmlElement): SoapFaultAnswer {
  const children = childElements(fault);
  const byName = (name: string) => children.find((child) => child.name === name && (child.namespaceUri === '' || child.namespaceUri === null));
  const faultcode = shortText(byName('faultcode')?.content).replace(/^[^:]*:/, '');
  const faultstring = shortText(byName('faultstring')?.content);
  const detail = byName('detail');
  const foutElement = detail === undefined ? undefined : childElements(detail).find((child) => child.namespaceUri === NS.kv);
  let foutAnswer: Fout | undefined;
  if (foutElement !== undefined) {
    const c = new Children(foutElement);
    const foutcode = c.text('foutcode');
    if (foutcode) foutAnswer = { foutcode: foutcode.slice(0, 20), foutbeschrijving: shortText(c.text('foutbeschrijving')) };
  }
  return { faultcode, faultstring, ...(foutAnswer ? { fout: foutAnswer } : {}) };
}
