import { XmlDocument, XmlElement, type NamespaceMap, type XmlNode, XmlXPath } from 'libxml2-wasm';

/** Where an XPath is evaluated from; a document means its root element. */
export type XPathContext = XmlDocument | XmlNode;

/**
 * A compiled XPath 1.0 expression with its namespace bindings. Compile once (e.g. at module level)
 * and reuse: it lives as long as the module that holds it.
 */
export function compileXPath(expression: string, namespaces?: NamespaceMap): XmlXPath {
  return XmlXPath.compile(expression, namespaces);
}

/** Text content of the first node `xpath` selects from `context`, or undefined if it selects none. */
export function textAt(context: XPathContext, xpath: XmlXPath): string | undefined {
  return first(context, xpath)?.content;
}

/** The first element `xpath` selects from `context`. */
export function elementAt(context: XPathContext, xpath: XmlXPath): XmlElement | undefined {
  const node = first(context, xpath);
  return node instanceof XmlElement ? node : undefined;
}

/** All elements `xpath` selects from `context`, in document order. */
export function elementsAt(context: XPathContext, xpath: XmlXPath): XmlElement[] {
  const nodes = context instanceof XmlDocument ? context.find(xpath) : context.find(xpath);
  return nodes.filter((node): node is XmlElement => node instanceof XmlElement);
}

/** Value of an attribute without namespace, or undefined. */
export function attributeOf(element: XmlElement, name: string): string | undefined {
  return element.attr(name)?.value;
}

function first(context: XPathContext, xpath: XmlXPath): XmlNode | undefined {
  return (context instanceof XmlDocument ? context.get(xpath) : context.get(xpath)) ?? undefined;
}
