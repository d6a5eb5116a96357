import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { WusService } from './services.js';
import { escapeXml } from './xml-writer.js';

/** The published interface files, copied unchanged from Logius' WSDLs and XSD. */
export const STANDARDS_DIR = fileURLToPath(new URL('../../standards/', import.meta.url));
export const KOPPELVLAK_XSD = 'digipoort-koppelvlak-1.2.xsd';
export const KOPPELVLAK_XSD_PATH = `${STANDARDS_DIR}${KOPPELVLAK_XSD}`;
/** Poort's own WSDLs, for services Logius publishes none for. */
export const POORT_WSDL_DIR = fileURLToPath(new URL('../../wsdl/', import.meta.url));

/**
 * The service's WSDL with Poort's own endpoint in soap:address and the XSD import pointing at `?xsd=` of the same
 * endpoint, so that generated clients resolve everything from this server.
 */
export function publishedWsdl(service: WusService, endpointUrl: string): string {
  const wsdl = readFileSync(`${service.ownWsdl ? POORT_WSDL_DIR : STANDARDS_DIR}${service.wsdlFile}`, 'utf8');
  return wsdl
    .replace(/(<soap11:address\s+location=")[^"]*(")/g, `$1${escapeXml(endpointUrl)}$2`)
    .replace(/(<xsd:import\s+schemaLocation=")[^"]*(")/g, `$1${escapeXml(endpointUrl)}?xsd=${KOPPELVLAK_XSD}$2`);
}

/** The koppelvlak XSD, for `?xsd=digipoort-koppelvlak-1.2.xsd`; undefined for any other name. */
export function publishedXsd(name: string): string | undefined {
  return name === KOPPELVLAK_XSD ? readFileSync(KOPPELVLAK_XSD_PATH, 'utf8') : undefined;
}
