export { WsSecurityError, isWsSecurityError, type WsSecurityErrorCode } from './errors.js';
export { DEFAULT_WS_SECURITY_POLICY, type WsSecurityPolicy } from './policy.js';
export { verifySoapRequest, type VerifiedRequest } from './verify.js';
export { signSoapMessage, type SigningCredentials, type SignMessageOptions, type TextHeaderBlock, type UnsignedSoapMessage } from './sign.js';
export { NS as WSS_NAMESPACES, X509V3_VALUE_TYPE, BASE64_BINARY_ENCODING, EXC_C14N_ALGORITHM } from './namespaces.js';
