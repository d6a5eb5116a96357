import type { XmlElement } from '@poort/xml';

import type {
  AanleverRequest,
  Bestand,
  BerichtsoortenRequest,
  Identiteit,
  NieuweStatussenRequest,
  ProcessenRequest,
  StatussenProcesRequest,
  TimeWindow,
  ZetStatusRequest,
} from './koppelvlak-types.js';
import { NS } from './namespaces.js';
import { childElements } from './soap-request.js';

// Readers assume the element was validated against digipoort-koppelvlak-1.2.xsd first: required children exist and
// occur in sequence; they only pick values out. normalizedString with whiteSpace collapse: values are collapsed here.

/** The koppelvlak children of an element by name (also for the other readers of this library). */
export class Children {
  private readonly byName = new Map<string, XmlElement[]>();

  constructor(parent: XmlElement) {
    for (const child of childElements(parent)) {
      if (child.namespaceUri !== NS.kv) continue;
      const list = this.byName.get(child.name) ?? [];
      list.push(child);
      this.byName.set(child.name, list);
    }
  }

  element(name: string): XmlElement | undefined {
    return this.byName.get(name)?.[0];
  }

  required(name: string): XmlElement {
    const found = this.element(name);
    if (!found) throw new Error(`koppelvlak element ${name} missing after schema validation`);
    return found;
  }

  text(name: string): string | undefined {
    const found = this.element(name);
    return found === undefined ? undefined : collapse(found.content);
  }

  requiredText(name: string): string {
    return collapse(this.required(name).content);
  }

  all(name: string): XmlElement[] {
    return this.byName.get(name) ?? [];
  }
}

const collapse = (text: string) => text.replace(/[\t\n\r ]+/g, ' ').trim();

export function identiteit(element: XmlElement): Identiteit {
  const children = new Children(element);
  return { nummer: children.requiredText('nummer'), type: children.requiredText('type') };
}

function optionalIdentiteit(element: XmlElement | undefined): { identiteitOntvanger?: Identiteit } {
  return element === undefined ? {} : { identiteitOntvanger: identiteit(element) };
}

export function bestand(element: XmlElement): Bestand {
  const children = new Children(element);
  return {
    mimeType: children.requiredText('mimeType'),
    bestandsnaam: children.requiredText('bestandsnaam'),
    inhoud: children.required('inhoud').content.replace(/[\t\n\r ]+/g, ''),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

export function window(children: Children): TimeWindow {
  const vanaf = children.text('tijdstempelVanaf');
  const tot = children.text('tijdstempelTot');
  return {
    ...(vanaf === undefined ? {} : { tijdstempelVanaf: new Date(vanaf) }),
    ...(tot === undefined ? {} : { tijdstempelTot: new Date(tot) }),
  };
}

export function readAanleverRequest(element: XmlElement): AanleverRequest {
  const c = new Children(element);
  const bijlagen = c.element('berichtBijlagen');
  const rolOntvanger = c.text('rolOntvanger');
  return {
    ...optional('kenmerk', c.text('kenmerk')),
    berichtsoort: c.requiredText('berichtsoort'),
    ...optional('aanleverkenmerk', c.text('aanleverkenmerk')),
    ...optional('eerderAanleverkenmerk', c.text('eerderAanleverkenmerk')),
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    rolBelanghebbende: c.requiredText('rolBelanghebbende'),
    ...optionalIdentiteit(c.element('identiteitOntvanger')),
    ...(rolOntvanger ? { rolOntvanger } : {}),
    berichtInhoud: bestand(c.required('berichtInhoud')),
    ...(bijlagen === undefined ? {} : { berichtBijlagen: new Children(bijlagen).all('bijlage').map(bestand) }),
    ...optional('autorisatieAdres', c.text('autorisatieAdres')),
  };
}

export function readStatussenProcesRequest(element: XmlElement): StatussenProcesRequest {
  const c = new Children(element);
  return { kenmerk: c.requiredText('kenmerk'), ...optional('autorisatieAdres', c.text('autorisatieAdres')), ...window(c) };
}

export function readNieuweStatussenRequest(element: XmlElement): NieuweStatussenRequest {
  const c = new Children(element);
  return {
    berichtsoort: c.requiredText('berichtsoort'),
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    ...optional('autorisatieAdres', c.text('autorisatieAdres')),
    ...window(c),
  };
}

export function readProcessenRequest(element: XmlElement): ProcessenRequest {
  const c = new Children(element);
  return {
    berichtsoort: c.requiredText('berichtsoort'),
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    ...optional('autorisatieAdres', c.text('autorisatieAdres')),
  };
}

export function readBerichtsoortenRequest(element: XmlElement): BerichtsoortenRequest {
  const c = new Children(element);
  return {
    identiteitBelanghebbende: identiteit(c.required('identiteitBelanghebbende')),
    ...optional('autorisatieAdres', c.text('autorisatieAdres')),
  };
}

export function readZetStatusRequest(element: XmlElement): ZetStatusRequest {
  const c = new Children(element);
  const fout = c.element('statusFoutcode');
  const foutChildren = fout === undefined ? undefined : new Children(fout);
  return {
    kenmerk: c.requiredText('kenmerk'),
    ...optional('berichtkenmerk', c.text('berichtkenmerk')),
    statuscode: c.requiredText('statuscode'),
    tijdstempelStatus: new Date(c.requiredText('tijdstempelStatus')),
    ...(foutChildren === undefined
      ? {}
      : { statusFoutcode: { foutcode: foutChildren.requiredText('foutcode'), foutbeschrijving: foutChildren.requiredText('foutbeschrijving') } }),
    ...optional('statusdetails', c.text('statusdetails')),
  };
}
