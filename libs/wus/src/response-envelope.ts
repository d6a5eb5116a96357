import { randomUUID } from 'node:crypto';

import { NS, WSA_ANONYMOUS } from './namespaces.js';
import { faultDetailXml } from './koppelvlak-write.js';
import type { WusService } from './services.js';
import type { WusFault } from './wus-fault.js';
import { escapeXml } from './xml-writer.js';

export interface ResponseAddressing {
  readonly action: string;
  /** The request's wsa:MessageID; absent when the request had none we could trust. */
  readonly relatesTo?: string;
}

/** A text-only SOAP header block (the WS-Addressing headers). */
export interface SoapHeaderBlock {
  readonly namespaceUri: string;
  readonly prefix: string;
  readonly localName: string;
  readonly text: string;
}

/**
 * A SOAP 1.1 response before it is written: its header blocks and the content of soap:Body, which may use the
 * envelope's prefix `soapenv`. WS-Security writes it signed; `unsignedEnvelope` writes it as it is.
 */
export interface SoapResponse {
  readonly headers: readonly SoapHeaderBlock[];
  readonly body: string;
}

/** wsa:To anonymous, wsa:Action, a fresh wsa:MessageID and wsa:RelatesTo (the request MessageID), then the body. */
export function soapResponse(addressing: ResponseAddressing, bodyContent: string): SoapResponse {
  const wsa = (localName: string, text: string): SoapHeaderBlock => ({ namespaceUri: NS.wsa, prefix: 'wsa', localName, text });
  return {
    headers: [
      wsa('To', WSA_ANONYMOUS),
      wsa('Action', addressing.action),
      wsa('MessageID', `urn:uuid:${randomUUID()}`),
      ...(addressing.relatesTo === undefined ? [] : [wsa('RelatesTo', addressing.relatesTo)]),
    ],
    body: bodyContent,
  };
}

/** The response as an unsigned envelope (faults for requests whose signature could not be verified). */
export function unsignedEnvelope(response: SoapResponse): string {
  const headers = response.headers.map((block) => {
    const name = `${block.prefix}:${block.localName}`;
    return `<${name} xmlns:${block.prefix}="${escapeXml(block.namespaceUri)}">${escapeXml(block.text)}</${name}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}">`
    + `<soapenv:Header>${headers.join('')}</soapenv:Header><soapenv:Body>${response.body}</soapenv:Body></soapenv:Envelope>`;
}

/** soap:Fault as Digipoort sends it (samples/digipoort-wus/fault-*.xml), with the koppelvlak foutType as detail. */
/** A fault's description stays short whatever caused it: a refusal must not be a way to make Poort send megabytes. */
const MAX_FOUTBESCHRIJVING = 1_000;

export function faultBody(service: WusService, fault: WusFault): string {
  const foutbeschrijving = fault.foutbeschrijving.length > MAX_FOUTBESCHRIJVING ? `${fault.foutbeschrijving.slice(0, MAX_FOUTBESCHRIJVING)}…` : fault.foutbeschrijving;
  return (
    `<soapenv:Fault>` +
    `<faultcode>soapenv:${fault.faultcode}</faultcode>` +
    `<faultstring>${escapeXml(fault.faultstring)}</faultstring>` +
    `<faultactor>Verantwoordingsplichtige</faultactor>` +
    `<detail>${faultDetailXml(service.faultElement, { foutcode: fault.foutcode, foutbeschrijving })}</detail>` +
    `</soapenv:Fault>`
  );
}

/** The fault action of an operation, or of the service's first operation when the operation is not known. */
export function faultAction(service: WusService, operationName: string | undefined): string {
  const operation = service.operations.find((op) => op.name === operationName) ?? service.operations[0];
  return operation?.faultAction ?? '';
}
