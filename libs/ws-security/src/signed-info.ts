import type { XmlElement } from '@poort/xml';
import { digestAlgorithm, type HashAlgorithm, signatureAlgorithm } from './algorithms.js';
import { decodeBase64, elementChildren, isElement, qname, textOnly } from './dom.js';
import { WsSecurityError } from './errors.js';
import { EXC_C14N_ALGORITHM, NS } from './namespaces.js';
import type { Sha1Policy } from './policy.js';

export interface SignedReference {
  /** The ID the URI "#id" names. */
  id: string;
  digest: HashAlgorithm;
  digestValue: Buffer;
  /** InclusiveNamespaces PrefixList of the exc-c14n transform, if any. */
  inclusivePrefixes?: string[];
}

export interface ParsedSignature {
  signedInfo: XmlElement;
  /** InclusiveNamespaces PrefixList of the CanonicalizationMethod, if any (WSS4J writes one). */
  signedInfoPrefixes?: string[];
  signature: HashAlgorithm;
  signatureValue: Buffer;
  /** ds:SignatureValue as sent (base64), for the response's SignatureConfirmation. */
  signatureValueText: string;
  keyInfo: XmlElement;
  references: SignedReference[];
}

// A bare-name XPointer ("#id") with an NCName: no xpointer(), no quotes, no external or empty URIs.
const SAME_DOCUMENT_ID = /^#([A-Za-z_][A-Za-z0-9_.-]*)$/;
const PREFIX = /^(?:#default|[A-Za-z_][A-Za-z0-9_.-]*)$/;

/**
 * Reads ds:Signature = SignedInfo, SignatureValue, KeyInfo (no Object, nothing else), checking every algorithm
 * against the profile. Does not resolve references or check any value.
 */
export function parseSignature(signature: XmlElement, sha1: Sha1Policy): ParsedSignature {
  const [signedInfo, signatureValueElement, keyInfo, ...rest] = elementChildren(signature, 'WSS_SIGNATURE_STRUCTURE');
  if (!isElement(signedInfo, NS.ds, 'SignedInfo') || !isElement(signatureValueElement, NS.ds, 'SignatureValue')
    || !isElement(keyInfo, NS.ds, 'KeyInfo') || rest.length > 0) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', 'ds:Signature must hold exactly ds:SignedInfo, ds:SignatureValue and ds:KeyInfo');
  }
  const [c14nMethod, signatureMethod, ...referenceElements] = elementChildren(signedInfo, 'WSS_SIGNATURE_STRUCTURE');
  if (!isElement(c14nMethod, NS.ds, 'CanonicalizationMethod') || !isElement(signatureMethod, NS.ds, 'SignatureMethod')) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', 'ds:SignedInfo must start with ds:CanonicalizationMethod and ds:SignatureMethod');
  }
  if (c14nMethod.attr('Algorithm')?.value !== EXC_C14N_ALGORITHM) {
    throw new WsSecurityError('WSS_ALGORITHM', `Unsupported canonicalization method ${JSON.stringify(c14nMethod.attr('Algorithm')?.value ?? null)}; exclusive C14N is required`);
  }
  const signedInfoPrefixes = inclusivePrefixes(c14nMethod, 'WSS_ALGORITHM');
  const signature_ = signatureAlgorithm(signatureMethod.attr('Algorithm')?.value, sha1);
  if (elementChildren(signatureMethod, 'WSS_ALGORITHM').length > 0) {
    throw new WsSecurityError('WSS_ALGORITHM', 'ds:SignatureMethod must be empty (no HMACOutputLength or other parameters)');
  }
  if (referenceElements.length === 0) throw new WsSecurityError('WSS_REFERENCES', 'ds:SignedInfo holds no ds:Reference');
  const references = referenceElements.map((element) => parseReference(element, sha1));

  const signatureValueText = textOnly(signatureValueElement, 'WSS_SIGNATURE_STRUCTURE');
  const signatureValue = decodeBase64(signatureValueText);
  if (signatureValue === undefined) throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', 'ds:SignatureValue is not valid base64');

  const parsed: ParsedSignature = {
    signedInfo, signature: signature_, signatureValue, signatureValueText: signatureValueText.replace(/[ \t\r\n]+/g, ''), keyInfo, references,
  };
  if (signedInfoPrefixes !== undefined) parsed.signedInfoPrefixes = signedInfoPrefixes;
  return parsed;
}

function parseReference(reference: XmlElement, sha1: Sha1Policy): SignedReference {
  if (!isElement(reference, NS.ds, 'Reference')) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', `Unexpected ${qname(reference)} in ds:SignedInfo`);
  }
  const uri = reference.attr('URI')?.value;
  const match = uri === undefined ? null : SAME_DOCUMENT_ID.exec(uri);
  const id = match?.[1];
  if (id === undefined) {
    throw new WsSecurityError('WSS_REFERENCES', `ds:Reference URI ${JSON.stringify(uri ?? null)} is not a same-document ID reference "#id"`);
  }
  const [transforms, digestMethod, digestValueElement, ...rest] = elementChildren(reference, 'WSS_SIGNATURE_STRUCTURE');
  if (!isElement(transforms, NS.ds, 'Transforms')) {
    throw new WsSecurityError('WSS_TRANSFORM', `ds:Reference ${uri} must have ds:Transforms with the exclusive C14N transform`);
  }
  if (!isElement(digestMethod, NS.ds, 'DigestMethod') || !isElement(digestValueElement, NS.ds, 'DigestValue') || rest.length > 0) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', `ds:Reference ${uri} must hold ds:Transforms, ds:DigestMethod and ds:DigestValue`);
  }
  const [transform, ...moreTransforms] = elementChildren(transforms, 'WSS_TRANSFORM');
  if (!isElement(transform, NS.ds, 'Transform') || moreTransforms.length > 0) {
    throw new WsSecurityError('WSS_TRANSFORM', `ds:Reference ${uri} must have exactly one transform, exclusive C14N`);
  }
  const algorithm = transform.attr('Algorithm')?.value;
  if (algorithm !== EXC_C14N_ALGORITHM) {
    throw new WsSecurityError('WSS_TRANSFORM', `Transform ${JSON.stringify(algorithm ?? null)} is not allowed; only exclusive C14N without comments`);
  }
  const prefixes = inclusivePrefixes(transform, 'WSS_TRANSFORM');
  const digest = digestAlgorithm(digestMethod.attr('Algorithm')?.value, sha1);
  if (elementChildren(digestMethod, 'WSS_ALGORITHM').length > 0) {
    throw new WsSecurityError('WSS_ALGORITHM', 'ds:DigestMethod must be empty');
  }
  const digestValue = decodeBase64(textOnly(digestValueElement, 'WSS_SIGNATURE_STRUCTURE'));
  if (digestValue === undefined || digestValue.length !== digest.bytes) {
    throw new WsSecurityError('WSS_SIGNATURE_STRUCTURE', `ds:DigestValue of ${uri} is not a base64 ${digest.hash} digest`);
  }
  const parsed: SignedReference = { id, digest, digestValue };
  if (prefixes !== undefined) parsed.inclusivePrefixes = prefixes;
  return parsed;
}

/** The optional ec:InclusiveNamespaces PrefixList child of an exc-c14n method or transform. */
function inclusivePrefixes(method: XmlElement, code: 'WSS_ALGORITHM' | 'WSS_TRANSFORM'): string[] | undefined {
  const [inclusive, ...rest] = elementChildren(method, code);
  if (inclusive === undefined) return undefined;
  if (!isElement(inclusive, NS.excC14n, 'InclusiveNamespaces') || rest.length > 0
    || elementChildren(inclusive, code).length > 0) {
    throw new WsSecurityError(code, `${qname(method)} may only hold one ec:InclusiveNamespaces`);
  }
  const list = inclusive.attr('PrefixList')?.value ?? '';
  const prefixes = list.split(/[ \t\r\n]+/).filter((p) => p !== '');
  if (prefixes.some((p) => !PREFIX.test(p))) throw new WsSecurityError(code, `Invalid InclusiveNamespaces PrefixList ${JSON.stringify(list)}`);
  return prefixes;
}
