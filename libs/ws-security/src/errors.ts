/** Why a WS-Security check failed. Every code is a reason to refuse the message. */
export type WsSecurityErrorCode =
  | 'WSS_ENVELOPE'
  | 'WSS_MISSING_SECURITY'
  | 'WSS_TIMESTAMP'
  | 'WSS_TIMESTAMP_STALE'
  | 'WSS_TIMESTAMP_FUTURE'
  | 'WSS_TOKEN'
  | 'WSS_SIGNATURE_STRUCTURE'
  | 'WSS_REFERENCES'
  | 'WSS_ALGORITHM'
  | 'WSS_TRANSFORM'
  | 'WSS_DIGEST_MISMATCH'
  | 'WSS_SIGNATURE_INVALID'
  | 'WSS_DUPLICATE_ID'
  | 'WSS_WRAPPING';

/** The only error type `@poort/ws-security` throws for a message it refuses or cannot sign. */
export class WsSecurityError extends Error {
  override readonly name = 'WsSecurityError';
  readonly code: WsSecurityErrorCode;

  constructor(code: WsSecurityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isWsSecurityError(value: unknown, code?: WsSecurityErrorCode): value is WsSecurityError {
  return value instanceof WsSecurityError && (code === undefined || value.code === code);
}
