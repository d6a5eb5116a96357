export type RecipientEncryptionErrorCode =
  /** The recipient's certificate is not a readable X.509 certificate (PEM or DER). */
  | 'CERTIFICATE_UNREADABLE'
  /** Key transport needs an RSA key; the certificate holds another kind (e.g. ECDSA). */
  | 'CERTIFICATE_NOT_RSA'
  /** The RSA key is shorter than the baseline allows. */
  | 'CERTIFICATE_KEY_TOO_SMALL'
  /** The certificate has a keyUsage extension without keyEncipherment. */
  | 'CERTIFICATE_KEY_USAGE'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  /** The MIME type given for the content is not a syntactically valid type/subtype. */
  | 'INVALID_MIME_TYPE'
  | 'UNKNOWN_FORMAT';

/** Why content could not be encrypted for a recipient; the message names the certificate where there is one. */
export class RecipientEncryptionError extends Error {
  override readonly name = 'RecipientEncryptionError';

  constructor(
    readonly code: RecipientEncryptionErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isRecipientEncryptionError(error: unknown): error is RecipientEncryptionError {
  return error instanceof RecipientEncryptionError;
}
