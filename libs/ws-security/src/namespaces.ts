/** Namespace URIs of the WUS 2W-be-S profile (SOAP 1.1, WS-Addressing 1.0, WS-Security 1.0/1.1, XML-DSig). */
export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsse11: 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
} as const;

/** wsse:BinarySecurityToken/@ValueType of an X.509 v3 certificate (X.509 Token Profile 1.0). */
export const X509V3_VALUE_TYPE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';

/** wsse:BinarySecurityToken/@EncodingType required by the Basic Security Profile. */
export const BASE64_BINARY_ENCODING =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** Exclusive XML Canonicalization 1.0 without comments: the only canonicalization and transform accepted. */
export const EXC_C14N_ALGORITHM = 'http://www.w3.org/2001/10/xml-exc-c14n#';
