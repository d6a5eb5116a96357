export { XmlError, isXmlError, type XmlErrorCode, type XmlDiagnostic, type XmlErrorOptions } from './errors.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';
export { parseXml, withXmlDocument, type XmlInput } from './parse.js';
export { checkXmlStream, type StreamCheckCode, type StreamCheckOptions, type StreamCheckResult } from './stream-check.js';
export { element, leaf, requiredElement, serializeXml, type XmlChild, type XmlOut } from './xml-writer.js';
export { compileSchema, type CompiledSchema, type SchemaSource, type ValidationResult } from './schema.js';
export { SchemaRegistry, loadSchemaCatalog } from './schema-registry.js';
export { canonicalizeExclusive, type ExclusiveC14NOptions } from './c14n.js';
export { compileXPath, textAt, elementAt, elementsAt, attributeOf, type XPathContext } from './query.js';
// The tree types come from libxml2-wasm; consumers use them through this package only.
export { XmlDocument, XmlElement, XmlNode, XmlAttribute, XmlText, XmlXPath, type NamespaceMap } from 'libxml2-wasm';
