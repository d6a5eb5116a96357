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

/**
 * An unsigned SOAP 1.1 response: wsa:To anonymous, wsa:Action, a fresh wsa:MessageID and wsa:RelatesTo (the request
 * MessageID), then the body. WS-Security adds its header when it signs.
 */
export function responseEnvelope(addressing: ResponseAddressing, bodyContent: string): string {
  const relatesTo = addressing.relatesTo === undefined ? '' : `<wsa:RelatesTo>${escapeXml(addressing.relatesTo)}</wsa:RelatesTo>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${NS.soap11}" xmlns:wsa="${NS.wsa}">` +
    `<soapenv:Header>` +
    `<wsa:To>${WSA_ANONYMOUS}</wsa:To>` +
    `<wsa:Action>${escapeXml(addressing.action)}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    relatesTo +
    `</soapenv:Header>` +
    `<soapenv:Body>${bodyContent}</soapenv:Body>` +
    `</soapenv:Envelope>`
  );
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
