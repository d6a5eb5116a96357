/** The answer of one revocation source about one certificate. */
export type RevocationStatus =
  | { status: 'good'; source: 'crl' | 'ocsp' }
  | { status: 'revoked'; source: 'crl' | 'ocsp'; revokedAt?: Date; reason?: string }
  | { status: 'unknown'; reason: string };

/** RFC 5280 5.3.1 CRLReason names by code. */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};
