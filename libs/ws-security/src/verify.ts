import { verify as rsaVerify, type X509Certificate } from 'node:crypto';
import { canonicalizeExclusive, type XmlDocument, type XmlElement } from '@poort/xml';
import { locateEnvelopeParts, locateSecurityParts } from './envelope.js';
import { WsSecurityError } from './errors.js';
import { indexIds } from './id-index.js';
import { resolvePolicy, type WsSecurityPolicy } from './policy.js';
import { bindReferences, checkDigests, type RequiredPart } from './references.js';
import { parseSignature } from './signed-info.js';
import { checkTimestamp } from './timestamp.js';
import { readBinarySecurityToken, readKeyInfoReference } from './token.js';

/** What was verified: the caller processes exactly these nodes and nothing it finds by searching again. */
export interface VerifiedRequest {
  /** From the BinarySecurityToken; the caller validates chain, key usage and OIN. */
  certificate: X509Certificate;
  /** Base64 text of ds:SignatureValue (for the response's SignatureConfirmation). */
  signatureValue: string;
  created: Date;
  expires?: Date;
  /** The soap:Body that was signed (valid while the document lives). */
  body: XmlElement;
  /** Signed WS-Addressing headers by local name: To, Action, MessageID, ReplyTo, From, … */
  addressing: ReadonlyMap<string, XmlElement>;
  /** Values of signed wsse11:SignatureConfirmation elements (present in signed responses, not in requests). */
  signatureConfirmations?: string[];
}

/**
 * Verifies a parsed SOAP 1.1 envelope per Digikoppeling WUS 2W-be-S; throws {@link WsSecurityError}. Synchronous.
 * Order: structure (no search: every part by position), IDs (one pass), timestamp, token, signature structure,
 * reference binding, SignedInfo signature, digests.
 */
export function verifySoapRequest(doc: XmlDocument, policy?: Partial<WsSecurityPolicy>, now: Date = new Date()): VerifiedRequest {
  const resolvedPolicy = resolvePolicy(policy);
  const ids = indexIds(doc);
  const parts = locateEnvelopeParts(doc);
  const security = locateSecurityParts(parts.security);
  const times = checkTimestamp(security.timestamp, resolvedPolicy, now);
  const token = readBinarySecurityToken(security.token);
  const signature = parseSignature(security.signature, resolvedPolicy);
  const keyId = readKeyInfoReference(signature.keyInfo);
  if (keyId !== token.id) {
    throw new WsSecurityError('WSS_TOKEN', `ds:KeyInfo points to #${keyId}, not to the wsse:BinarySecurityToken #${token.id}`);
  }

  const required: RequiredPart[] = [
    { label: 'soap:Body', element: parts.body },
    { label: 'wsu:Timestamp', element: security.timestamp },
  ];
  for (const [name, element] of parts.addressing) required.push({ label: `wsa:${name}`, element });
  const confirmations: string[] = [];
  for (const element of security.signatureConfirmations) {
    required.push({ label: 'wsse11:SignatureConfirmation', element });
    confirmations.push(element.attr('Value')?.value ?? '');
  }
  const resolved = bindReferences(signature.references, ids, required, [security.token, security.signature]);

  const signedInfo = signature.signedInfoPrefixes === undefined
    ? canonicalizeExclusive(signature.signedInfo)
    : canonicalizeExclusive(signature.signedInfo, { inclusiveNamespacePrefixes: signature.signedInfoPrefixes });
  if (!rsaVerify(signature.signature.hash, signedInfo, token.publicKey, signature.signatureValue)) {
    throw new WsSecurityError('WSS_SIGNATURE_INVALID', 'ds:SignatureValue does not verify with the BinarySecurityToken\'s key');
  }
  checkDigests(resolved);

  const verified: VerifiedRequest = {
    certificate: token.certificate,
    signatureValue: signature.signatureValueText,
    created: times.created,
    body: parts.body,
    addressing: parts.addressing,
  };
  if (times.expires !== undefined) verified.expires = times.expires;
  if (confirmations.length > 0) verified.signatureConfirmations = confirmations;
  return verified;
}
