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
  readonly name: 'aanleverservice' | 'statusinformatieservice' | 'ophaalservice' | 'afleverstatusservice' | 'afleverservice';
  /** Path of the endpoint, as Digipoort publishes it (domain.md 1.1). */
  readonly path: string;
  readonly wsdlFile: string;
  /** The WSDL is Poort's own (libs/wus/wsdl/), written from the XSD where Logius publishes none. */
  readonly ownWsdl?: boolean;
  /** Fault detail element (koppelvlak foutType). */
  readonly faultElement: 'aanleverFault' | 'statusinformatieFault' | 'ophaalFault' | 'zetStatusFault' | 'afleverFault';
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

/** Government → business messages and pull recipients' mailboxes (domain.md 1.7). */
export const OPHAAL_SERVICE: WusService = {
  name: 'ophaalservice',
  path: '/wus/2.0/ophaalservice/1.2',
  wsdlFile: 'OphaalService.wsdl',
  faultElement: 'ophaalFault',
  interfaceFoutcode: FOUTCODE.ophaalverzoekOngeldig,
  technicalFoutcode: FOUTCODE.technischeFoutOphaal,
  operations: ['getBerichten', 'getNieuweBerichten', 'getBerichtenKenmerk', 'getNieuweBerichtenKenmerk', 'getBerichtenLijst', 'getNieuweBerichtenLijst'].map(
    (name) => operation('ophaalservice', 'OphaalService', name, `${name}Request`, `${name}Response`),
  ),
};

/**
 * zetStatus, which a recipient calls to report its own processing result (500/510) for a message Poort delivered to
 * it. Logius publishes no WSDL for it: Poort's AfleverStatusService.wsdl is written from the XSD in the style of the
 * published three. Named for what it does (the status of an aflevering), apart from the statusinformatieservice that
 * senders read and from the afleverservice that recipients serve; its foutcodes are the afleverservice's (AFS100,
 * AFS400), the family zetStatus belongs to in the XSD.
 */
export const AFLEVERSTATUS_SERVICE: WusService = {
  name: 'afleverstatusservice',
  path: '/wus/2.0/afleverstatusservice/1.2',
  wsdlFile: 'AfleverStatusService.wsdl',
  ownWsdl: true,
  faultElement: 'zetStatusFault',
  interfaceFoutcode: FOUTCODE.afleververzoekOngeldig,
  technicalFoutcode: FOUTCODE.afleverfout,
  operations: [operation('afleverstatusservice', 'AfleverStatusService', 'zetStatus', 'zetStatusRequest', 'zetStatusResponse')],
};

/**
 * The afleverservice a recipient implements and Poort calls (domain.md 2.2). Logius publishes no WSDL for it:
 * wsdl/AfleverService.wsdl is Poort's, written from the koppelvlak XSD. The path is where Poort serves that
 * WSDL (and where a recipient built from it would serve the service); a recipient's own endpoint is its profile's.
 */
export const AFLEVER_SERVICE: WusService = {
  name: 'afleverservice',
  path: '/wus/2.0/afleverservice/1.2',
  wsdlFile: 'AfleverService.wsdl',
  ownWsdl: true,
  faultElement: 'afleverFault',
  interfaceFoutcode: FOUTCODE.afleververzoekOngeldig,
  technicalFoutcode: FOUTCODE.afleverfout,
  operations: [operation('afleverservice', 'AfleverService', 'afleveren', 'afleverRequest', 'afleverResponse')],
};

export function operationForElement(service: WusService, localName: string): WusOperation | undefined {
  return service.operations.find((op) => op.requestElement === localName);
}
