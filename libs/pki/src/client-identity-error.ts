export type ClientIdentityErrorCode =
  /** No client certificate was presented (or the forwarding proxy sent none). */
  | 'CERT_MISSING'
  /** The forwarded certificate could not be decoded. */
  | 'CERT_MALFORMED'
  /** The certificate does not chain to a trusted CA. */
  | 'CERT_UNTRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  /** No CRL or OCSP answer established that a certificate in the chain is not revoked (revocation 'hard-fail'). */
  | 'CERT_REVOCATION_UNKNOWN'
  /** A CA certificate, or an extended key usage without clientAuth. */
  | 'CERT_NOT_FOR_CLIENT_AUTH'
  /** A CA certificate, or key usages that do not allow signing messages (purpose 'signing'). */
  | 'CERT_NOT_FOR_SIGNING'
  /** The subject carries no serialNumber attribute. */
  | 'CERT_NO_OIN'
  /** The subject serialNumber is not a valid OIN, or there is more than one. */
  | 'CERT_BAD_OIN';

export class ClientIdentityError extends Error {
  override readonly name = 'ClientIdentityError';

  constructor(
    readonly code: ClientIdentityErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
