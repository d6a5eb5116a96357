import { X509Certificate } from 'node:crypto';

import { compileSchema, parseXml, type CompiledSchema, type XmlDocument, type XmlElement } from '@poort/xml';

import { KOPPELVLAK_XSD_PATH, NS, unsignedEnvelope, type SoapResponse, type SoapSecurity, type VerifiedSoapRequest } from '../src/index.js';

let schema: CompiledSchema | undefined;
export function koppelvlakSchema(): CompiledSchema {
  schema ??= compileSchema(KOPPELVLAK_XSD_PATH);
  return schema;
}

/** Validates the first element inside soap:Body of an envelope (or a bare payload) against the koppelvlak XSD. */
export function validatePayload(xml: string): { valid: boolean; errors: string[]; doc: XmlDocument } {
  const doc = parseXml(xml);
  const target = doc.root.name === 'Envelope' ? bodyChild(doc) : doc.root;
  const result = koppelvlakSchema().validate(target);
  return { valid: result.valid, errors: result.valid ? [] : result.errors.map((error) => error.message), doc };
}

export function bodyChild(doc: XmlDocument): XmlElement {
  const node = doc.get('/s:Envelope/s:Body/*[1]', { s: NS.soap11 });
  if (!node) throw new Error('no body child');
  return node as XmlElement;
}

export const ACTIONS = {
  aanleveren: 'http://logius.nl/digipoort/wus/2.0/aanleverservice/1.2/AanleverService/aanleverenRequest',
  getStatussenProces: 'http://logius.nl/digipoort/wus/2.0/statusinformatieservice/1.2/StatusinformatieService/getStatussenProcesRequest',
};

export interface EnvelopeOptions {
  to?: string | null;
  action?: string | null;
  messageId?: string | null;
  replyTo?: string;
  extraHeader?: string;
  body: string;
  envelopeNs?: string;
}

export function requestEnvelope(options: EnvelopeOptions): string {
  const header = [
    options.to === null ? '' : `<wsa:To>${options.to ?? 'https://poort.example/wus/2.0/aanleverservice/1.2'}</wsa:To>`,
    options.action === null ? '' : `<wsa:Action>${options.action ?? ACTIONS.aanleveren}</wsa:Action>`,
    options.messageId === null ? '' : `<wsa:MessageID>${options.messageId ?? `urn:uuid:${crypto.randomUUID()}`}</wsa:MessageID>`,
    options.replyTo === undefined ? '' : `<wsa:ReplyTo><wsa:Address>${options.replyTo}</wsa:Address></wsa:ReplyTo>`,
    `<wsse:Security xmlns:wsse="${NS.wsse}"/>`,
    options.extraHeader ?? '',
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${options.envelopeNs ?? NS.soap11}" xmlns:wsa="${NS.wsa}"><s:Header>${header}</s:Header><s:Body>${options.body}</s:Body></s:Envelope>`;
}

export function aanleverRequestXml(berichtsoort = 'Omzetbelasting', extra = ''): string {
  return `<kv:aanleverRequest xmlns:kv="${NS.kv}"><kv:berichtsoort>${berichtsoort}</kv:berichtsoort><kv:aanleverkenmerk>ak-1</kv:aanleverkenmerk>` +
    `<kv:identiteitBelanghebbende><kv:nummer>001000044B37</kv:nummer><kv:type>Fi</kv:type></kv:identiteitBelanghebbende>` +
    `<kv:rolBelanghebbende>Bedrijf</kv:rolBelanghebbende>` +
    `<kv:berichtInhoud><kv:mimeType>application/xml</kv:mimeType><kv:bestandsnaam>aangifte.xbrl</kv:bestandsnaam><kv:inhoud>PHhici8+\n</kv:inhoud></kv:berichtInhoud>` +
    `<kv:berichtBijlagen><kv:bijlage><kv:mimeType>application/pdf</kv:mimeType><kv:bestandsnaam>toelichting.pdf</kv:bestandsnaam><kv:inhoud>JVBERi0=</kv:inhoud></kv:bijlage></kv:berichtBijlagen>` +
    `${extra}</kv:aanleverRequest>`;
}

/**
 * A stand-in for WS-Security that "verifies" every request: signed headers are all wsa headers, the signer is the
 * given certificate. It lets the endpoint's own checks be tested without signatures.
 */
export class FakeSecurity implements SoapSecurity {
  signed: { envelope: string; confirmation?: string }[] = [];
  failWith?: Error & { code: string };

  constructor(private readonly certificate: X509Certificate) {}

  verify(doc: XmlDocument): VerifiedSoapRequest {
    if (this.failWith) throw this.failWith;
    const addressing = new Map<string, XmlElement>();
    for (const node of doc.find('/s:Envelope/s:Header/wsa:*', { s: NS.soap11, wsa: NS.wsa })) {
      const element = node as XmlElement;
      addressing.set(element.name, element);
    }
    const body = doc.get('/s:Envelope/s:Body', { s: NS.soap11 }) as XmlElement;
    return { certificate: this.certificate, signatureValue: 'c2lnbmF0dXJl', created: new Date(), body, addressing };
  }

  sign(response: SoapResponse, options: { signatureConfirmation?: string }): string {
    const envelope = unsignedEnvelope(response);
    this.signed.push({ envelope, ...(options.signatureConfirmation ? { confirmation: options.signatureConfirmation } : {}) });
    return envelope;
  }
}
