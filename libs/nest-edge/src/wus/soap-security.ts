import { readFileSync } from 'node:fs';

import type { SoapSecurity } from '@poort/wus';
import { signSoapMessage, verifySoapRequest, type WsSecurityPolicy } from '@poort/ws-security';

export interface SigningFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** @poort/ws-security behind the port @poort/wus expects; responses are signed with the server's certificate. */
export function wsSecurity(files: SigningFiles, policy: Partial<WsSecurityPolicy> = {}): SoapSecurity {
  const credentials = { certificatePem: readFileSync(files.certFile, 'utf8'), privateKeyPem: readFileSync(files.keyFile, 'utf8') };
  return {
    verify: (doc, now) => verifySoapRequest(doc, policy, now),
    sign: (response, { signatureConfirmation, now }) =>
      signSoapMessage(response, credentials, { now, ...(signatureConfirmation === undefined ? {} : { signatureConfirmation }) }),
  };
}
