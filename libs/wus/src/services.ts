import { FOUTCODE } from '@poort/contracts';

/** One operation of a WUS service, with the names and actions the published WSDL gives it. */
export interface WusOperation {
  readonly name: string;
  readonly requestElement: string;
  readonly responseElement: string;
  /** wsa:Action (and SOAPAction) of the request. */
  readonly action: string;
  readonly responseAction: string;
  readonly faultAction: string;
}

export interface WusService {
  readonly name: 'aanleverservice' | 'statusinformatieservice' | 'afleverservice';
  /** Path of the endpoint, as Digipoort publishes it (domain.md 1.1). */
  readonly path: string;
  readonly wsdlFile: string;
  /** Fault detail element (koppelvlak foutType). */
  readonly faultElement: 'aanleverFault' | 'statusinformatieFault' | 'afleverFault';
  /** Digipoort foutcode for a request that does not match the interface specification. */
  readonly interfaceFoutcode: string;
  /** Digipoort foutcode for a technical problem on Poort's side. */
  readonly technicalFoutcode: string;
  readonly operations: readonly WusOperation[];
}

const BASE = 'http://logius.nl/digipoort/wus/2.0';

function operation(service: string, portType: string, name: string, requestElement: string, responseElement: string): WusOperation {
  const prefix = `${BASE}/${service}/1.2/${portType}`;
  return {
    name,
    requestElement,
    responseElement,
    action: `${prefix}/${name}Request`,
    responseAction: `${prefix}/${name}Response`,
    faultAction: `${prefix}/${name}/Fault/`,
  };
}

export const AANLEVER_SERVICE: WusService = {
  name: 'aanleverservice',
  path: '/wus/2.0/aanleverservice/1.2',
  wsdlFile: 'AanleverService.wsdl',
  faultElement: 'aanleverFault',
  interfaceFoutcode: FOUTCODE.interfaceSpecificatie,
  technicalFoutcode: FOUTCODE.technischeFoutAanleveren,
  operations: [operation('aanleverservice', 'AanleverService', 'aanleveren', 'aanleverRequest', 'aanleverResponse')],
};

const status = (name: string) =>
  operation('statusinformatieservice', 'StatusinformatieService', name, `${name}Request`, `${name}Response`);

export const STATUSINFORMATIE_SERVICE: WusService = {
  name: 'statusinformatieservice',
  path: '/wus/2.0/statusinformatieservice/1.2',
  wsdlFile: 'StatusinformatieService.wsdl',
  faultElement: 'statusinformatieFault',
  interfaceFoutcode: FOUTCODE.statusverzoekOngeldig,
  technicalFoutcode: FOUTCODE.technischeFoutStatusinformatie,
  operations: ['getBerichtsoorten', 'getProcessen', 'getStatussenProces', 'getNieuweStatussenProces', 'getNieuweStatussen'].map(status),
};

/**
 * The afleverservice a recipient implements and Poort calls (domain.md 2.2). Logius publishes no WSDL for it:
 * standards/AfleverService.wsdl is Poort's, written from the koppelvlak XSD. The path is where Poort serves that
 * WSDL (and where a recipient built from it would serve the service); a recipient's own endpoint is its profile's.
 */
export const AFLEVER_SERVICE: WusService = {
  name: 'afleverservice',
  path: '/wus/2.0/afleverservice/1.2',
  wsdlFile: 'AfleverService.wsdl',
  faultElement: 'afleverFault',
  // AFS100: the afleverservice's "does not match the interface specification" (domain.md 1.5).
  interfaceFoutcode: 'AFS100',
  technicalFoutcode: FOUTCODE.afleverfout,
  operations: [operation('afleverservice', 'AfleverService', 'afleveren', 'afleverRequest', 'afleverResponse')],
};

export function operationForElement(service: WusService, localName: string): WusOperation | undefined {
  return service.operations.find((op) => op.requestElement === localName);
}
