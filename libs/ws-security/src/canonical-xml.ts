/**
 * Elements written directly in their Exclusive XML Canonicalization 1.0 form (no comments, no InclusiveNamespaces),
 * for the parts of a signed message that the signer composes itself: their digests are taken over the text as
 * written, with no parse. The tests hold every writer here against libxml2's canonicalisation of the signed document.
 *
 * The rules that matter for these elements (https://www.w3.org/TR/xml-exc-c14n/, https://www.w3.org/TR/xml-c14n/):
 * the namespace declarations an element visibly uses come first, sorted by prefix; then the attributes, sorted by
 * namespace URI (none first) and local name; an empty element is written as a start and an end tag; text escapes
 * `& < >` and CR, attribute values escape `& < "` and TAB, LF, CR.
 */

export interface CanonicalAttribute {
  /** The attribute's namespace URI; undefined for an attribute in no namespace. */
  readonly namespaceUri?: string;
  /** As written: `prefix:local` for a namespaced attribute, `local` otherwise. */
  readonly name: string;
  readonly value: string;
}

export interface CanonicalElement {
  /** The element's qualified name, `prefix:local`. */
  readonly name: string;
  /** The declarations this element renders, prefix → URI: those it and its attributes use that no ancestor in the output rendered. */
  readonly namespaces: Readonly<Record<string, string>>;
  readonly attributes?: readonly CanonicalAttribute[];
  /** The content, already canonical (from `canonicalText` or other canonical elements). */
  readonly content: string;
}

const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

export function isNcName(name: string): boolean {
  return NCNAME.test(name);
}

export function canonicalElement(element: CanonicalElement): string {
  const declarations = Object.entries(element.namespaces)
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([prefix, uri]) => ` xmlns:${prefix}="${canonicalAttributeValue(uri)}"`);
  const attributes = [...(element.attributes ?? [])]
    .sort((a, b) => compareCodePoints(a.namespaceUri ?? '', b.namespaceUri ?? '') || compareCodePoints(localPart(a.name), localPart(b.name)))
    .map((attribute) => ` ${attribute.name}="${canonicalAttributeValue(attribute.value)}"`);
  return `<${element.name}${declarations.join('')}${attributes.join('')}>${element.content}</${element.name}>`;
}

export function canonicalText(text: string): string {
  return text.replace(/[&<>\r]/g, (character) => TEXT_ESCAPES[character]!);
}

export function canonicalAttributeValue(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (character) => ATTRIBUTE_ESCAPES[character]!);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

const localPart = (name: string): string => name.slice(name.indexOf(':') + 1);

/** C14N orders by code point (UCS), which for these ASCII names is plain string order; never the locale's. */
const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
