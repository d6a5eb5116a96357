/** What the verifier accepts; see {@link DEFAULT_WS_SECURITY_POLICY}. */
export interface WsSecurityPolicy {
  /** Created may be this far in the future; Expires is checked with the same skew. */
  clockSkewMs: number;
  /** A Created older than now minus this (and the skew) is stale. */
  maxMessageAgeMs: number;
  /** SHA-1 digests and RSA-SHA1 signatures only with this legacy switch (the 2018 Digipoort WSDL names them). */
  allowSha1: boolean;
  /** How a refusal names the switch, so that a sender's operator knows what to turn on (e.g. the setting's name). */
  legacySwitchName: string;
}

/** The part of the policy that decides about SHA-1. */
export type Sha1Policy = Pick<WsSecurityPolicy, 'allowSha1' | 'legacySwitchName'>;

export const DEFAULT_WS_SECURITY_POLICY: Readonly<WsSecurityPolicy> = Object.freeze({
  clockSkewMs: 300_000,
  maxMessageAgeMs: 300_000,
  allowSha1: false,
  legacySwitchName: 'allowSha1',
});

export function resolvePolicy(policy: Partial<WsSecurityPolicy> | undefined): WsSecurityPolicy {
  const resolved = { ...DEFAULT_WS_SECURITY_POLICY, ...policy };
  for (const key of ['clockSkewMs', 'maxMessageAgeMs'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`WS-Security policy ${key} must be a non-negative number, got ${String(value)}`);
  }
  return resolved;
}
