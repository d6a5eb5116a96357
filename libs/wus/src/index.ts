export { NS, WSA_ANONYMOUS } from './namespaces.js';
export { AANLEVER_SERVICE, AFLEVER_SERVICE, AFLEVERSTATUS_SERVICE, STATUSINFORMATIE_SERVICE, operationForElement, type WusOperation, type WusService } from './services.js';
export { WUS_CODE, WusFault, clientFault, faultForRefusal } from './wus-fault.js';
export type { ReplayGuard, SoapSecurity, VerifiedSoapRequest } from './security-port.js';
export { checkContentType, checkHeaderBlocks, childElements, readSoapRequest, type SoapRequestShape } from './soap-request.js';
export { checkAddressing, checkSoapAction, unverifiedAction, type RequestAddressing } from './addressing.js';
export type * from './koppelvlak-types.js';
export {
  readAanleverRequest,
  readBerichtsoortenRequest,
  readNieuweStatussenRequest,
  readProcessenRequest,
  readStatussenProcesRequest,
  readZetStatusRequest,
} from './koppelvlak-read.js';
export {
  aanleverResponseXml,
  berichtsoortenResponseXml,
  faultDetailXml,
  processenResponseXml,
  statusListResponseXml,
  type StatusListOperation,
  zetStatusResponseXml,
} from './koppelvlak-write.js';
export { faultAction, faultBody, soapResponse, unsignedEnvelope, type ResponseAddressing, type SoapHeaderBlock, type SoapResponse } from './response-envelope.js';
export { KOPPELVLAK_XSD, KOPPELVLAK_XSD_PATH, POORT_WSDL_DIR, STANDARDS_DIR, publishedWsdl, publishedXsd } from './wsdl.js';
export { WusEndpoint, type WusCall, type WusEndpointOptions, type WusHttpRequest, type WusHttpResponse, type WusOperationHandler } from './wus-endpoint.js';
export { PostgresReplayGuard, type SqlQueryable } from './postgres-replay-guard.js';
export { OPHAAL_SERVICE } from './services.js';
export type * from './ophaal-types.js';
export { readBerichtenKenmerkRequest, readBerichtenLijstRequest, readBerichtenRequest } from './ophaal-read.js';
export { berichtenLijstResponseXml, berichtenResponseXml } from './ophaal-write.js';
export type * from './aflever-types.js';
export { AfleverRequestError, afleverRequestXml, afleverResponseXml } from './aflever-write.js';
export { isSoapFault, readAfleverRequest, readAfleverResponse, readSoapFault } from './aflever-read.js';
