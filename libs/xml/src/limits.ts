/** Structural limits applied before libxml2 builds a tree. */
export interface XmlLimits {
  /** Maximum document size in bytes (UTF-8 bytes for string input). */
  maxBytes: number;
  /** Maximum element nesting depth; the root element is at depth 1. libxml2 itself stops at 2048. */
  maxDepth: number;
  /** Maximum attributes on one element, namespace declarations not counted. */
  maxAttributesPerElement: number;
  /** Maximum namespace declarations (`xmlns`, `xmlns:p`) on one element. */
  maxNamespaceDeclarationsPerElement: number;
}

/** 20 MiB matches Digipoort's maximum `berichtInhoud` size. */
export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxDepth: 256,
  maxAttributesPerElement: 256,
  maxNamespaceDeclarationsPerElement: 64,
});

export function resolveLimits(limits: Partial<XmlLimits> | undefined): XmlLimits {
  const resolved = { ...DEFAULT_XML_LIMITS, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`XML limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return resolved;
}
