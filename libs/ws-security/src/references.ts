import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalizeExclusive, type XmlElement } from '@poort/xml';
import { isWithin, qname } from './dom.js';
import { WsSecurityError } from './errors.js';
import type { SignedReference } from './signed-info.js';

/** An element that must be signed, with a name for messages. */
export interface RequiredPart {
  label: string;
  element: XmlElement;
}

/** A reference bound to the one element it signs. */
export interface ResolvedReference {
  reference: SignedReference;
  part: RequiredPart;
}

/**
 * Binds every ds:Reference to one required part and every required part to exactly one reference.
 * A reference to an element that is not a required part is a wrapping attempt (WSS_WRAPPING), unless it is
 * a legitimate but unsignable part of the security header (`extraneous`, e.g. the token: WSS_REFERENCES).
 */
export function bindReferences(
  references: readonly SignedReference[],
  ids: ReadonlyMap<string, XmlElement>,
  required: readonly RequiredPart[],
  extraneous: readonly XmlElement[],
): ResolvedReference[] {
  const bound: (SignedReference | undefined)[] = required.map(() => undefined);
  const resolved: ResolvedReference[] = [];
  for (const reference of references) {
    const target = ids.get(reference.id);
    if (target === undefined) throw new WsSecurityError('WSS_REFERENCES', `ds:Reference #${reference.id} points to no element in the message`);
    const index = required.findIndex((part) => part.element.isSameNode(target));
    const part = required[index];
    if (part === undefined) {
      if (extraneous.some((element) => isWithin(target, element))) {
        throw new WsSecurityError('WSS_REFERENCES', `ds:Reference #${reference.id} signs ${qname(target)}, which is not part of the profile`);
      }
      throw new WsSecurityError('WSS_WRAPPING', `ds:Reference #${reference.id} signs ${qname(target)} outside the places the profile signs`);
    }
    if (bound[index] !== undefined) throw new WsSecurityError('WSS_REFERENCES', `${part.label} is referenced more than once`);
    bound[index] = reference;
    resolved.push({ reference, part });
  }
  const missing = required.filter((_, i) => bound[i] === undefined).map((part) => part.label);
  if (missing.length > 0) throw new WsSecurityError('WSS_REFERENCES', `Not signed: ${missing.join(', ')}`);
  return resolved;
}

/** Canonicalizes each signed element once (exc-c14n) and compares its digest in constant time. */
export function checkDigests(resolved: readonly ResolvedReference[]): void {
  for (const { reference, part } of resolved) {
    const canonical = reference.inclusivePrefixes === undefined
      ? canonicalizeExclusive(part.element)
      : canonicalizeExclusive(part.element, { inclusiveNamespacePrefixes: reference.inclusivePrefixes });
    const digest = createHash(reference.digest.hash).update(canonical).digest();
    if (digest.length !== reference.digestValue.length || !timingSafeEqual(digest, reference.digestValue)) {
      throw new WsSecurityError('WSS_DIGEST_MISMATCH', `The digest of ${part.label} does not match: the signed content was changed`);
    }
  }
}
