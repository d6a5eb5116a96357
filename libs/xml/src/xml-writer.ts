/**
 * A small writer for generated XML: elements are built in the order the target schema's sequences ask for, empty
 * optional elements fall away, and text and attribute values are escaped on output.
 */
export interface XmlOut {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly text?: string;
  readonly children: readonly XmlOut[];
}

/** What an element may be built from: elements, absent ones (dropped) and lists of them. */
export type XmlChild = XmlOut | undefined | readonly (XmlOut | undefined)[];

/** An element holding other elements, or undefined when none of them is present (an optional group left out). */
export function element(name: string, ...children: XmlChild[]): XmlOut | undefined {
  const present = children.flat().filter((child): child is XmlOut => child !== undefined);
  return present.length === 0 ? undefined : { name, attributes: [], children: present };
}

/** An element that the schema requires, present even when it has nothing in it. */
export function requiredElement(name: string, ...children: XmlChild[]): XmlOut {
  return element(name, ...children) ?? { name, attributes: [], children: [] };
}

/** An element holding text, or undefined when there is no text; attributes without a value are left out. */
export function leaf(name: string, text: string | undefined, attributes: Readonly<Record<string, string | undefined>> = {}): XmlOut | undefined {
  if (text === undefined) return undefined;
  const present = Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { name, attributes: present, text, children: [] };
}

/** The document as UTF-8 text with an XML declaration; `namespaces` (prefix → URI) are declared on the root. */
export function serializeXml(root: XmlOut, namespaces: Readonly<Record<string, string>>): string {
  const declarations = Object.entries(namespaces).map(([prefix, uri]) => [`xmlns:${prefix}`, uri] as const);
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write({ ...root, attributes: [...declarations, ...root.attributes] }, 0, parts);
  return parts.join('');
}

function write(node: XmlOut, depth: number, parts: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = node.attributes.map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('');
  if (node.text !== undefined) {
    parts.push(`${indent}<${node.name}${attributes}>${escapeText(node.text)}</${node.name}>\n`);
  } else if (node.children.length === 0) {
    parts.push(`${indent}<${node.name}${attributes}/>\n`);
  } else {
    parts.push(`${indent}<${node.name}${attributes}>\n`);
    for (const child of node.children) write(child, depth + 1, parts);
    parts.push(`${indent}</${node.name}>\n`);
  }
}

// `>` is escaped too, so that no `]]>` ever appears in text; a carriage return survives as a reference.
function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (char) => ENTITIES[char]!);
}

// Attribute values are normalised by parsers: tab, newline and carriage return survive only as references.
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, (char) => ENTITIES[char]!);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
