import { readFileSync } from 'node:fs';

import { KOPPELVLAK_XSD_PATH, NS } from '@poort/wus';
import { compileSchema, parseXml, type CompiledSchema, type XmlElement } from '@poort/xml';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const WSSE11 = 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd';

let schema: CompiledSchema | undefined;

/** The payload in soap:Body (a koppelvlak response, or a fault's foutType detail) against the published XSD. */
export function validateAgainstKoppelvlak(envelope: string): string[] {
  schema ??= compileSchema(KOPPELVLAK_XSD_PATH);
  const doc = parseXml(envelope);
  try {
    const payload =
      (doc.get('/s:Envelope/s:Body/s:Fault/detail/*[1]', { s: NS.soap11 }) as XmlElement | null) ??
      (doc.get('/s:Envelope/s:Body/*[1]', { s: NS.soap11 }) as XmlElement | null);
    if (!payload) return ['no payload in soap:Body'];
    const result = schema.validate(payload);
    return result.valid ? [] : result.errors.map((error) => error.message);
  } finally {
    doc.dispose();
  }
}

/**
 * Checks the response signature with xml-crypto (not Poort's code) against the server certificate, and that it
 * covers the Body and the WS-Addressing headers and confirms the request's signature.
 */
export function verifyResponseSignature(envelope: string, serverCertFile: string): { signedParts: string[]; confirmations: number } {
  const dom = new DOMParser().parseFromString(envelope, 'text/xml');
  const signature = dom.getElementsByTagNameNS(DS, 'Signature')[0];
  if (!signature) throw new Error('the response carries no ds:Signature');
  const verifier = new SignedXml({ publicCert: readFileSync(serverCertFile, 'utf8'), idMode: 'wssecurity' });
  verifier.loadSignature(signature as unknown as Parameters<SignedXml["loadSignature"]>[0]);
  if (!verifier.checkSignature(envelope)) throw new Error('the response signature does not verify');
  const signedParts = verifier.getSignedReferences().map((xml) => /^<([^\s>]+)/.exec(xml)?.[1] ?? '?');
  return { signedParts, confirmations: dom.getElementsByTagNameNS(WSSE11, 'SignatureConfirmation').length };
}
