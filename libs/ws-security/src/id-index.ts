import { compileXPath, XmlAttribute, XmlElement, type XmlDocument } from '@poort/xml';
import { WsSecurityError } from './errors.js';

// Every attribute that some XML-DSig implementation treats as an ID: wsu:Id, Id, ID, id and xml:id, in any
// namespace. Counting them all means no two parsers can resolve one '#x' to two different elements.
const ID_ATTRIBUTES = compileXPath("//@*[local-name()='Id' or local-name()='ID' or local-name()='id']");

/**
 * One pass over the whole document: ID value → the one element carrying it.
 * @throws {WsSecurityError} WSS_DUPLICATE_ID when any value occurs twice anywhere.
 */
export function indexIds(doc: XmlDocument): ReadonlyMap<string, XmlElement> {
  const index = new Map<string, XmlElement>();
  for (const node of doc.find(ID_ATTRIBUTES)) {
    if (!(node instanceof XmlAttribute)) continue;
    const owner = node.parent;
    if (!(owner instanceof XmlElement)) continue;
    const value = node.value;
    if (index.has(value)) {
      throw new WsSecurityError('WSS_DUPLICATE_ID', `The ID ${JSON.stringify(value)} occurs more than once in the message`);
    }
    index.set(value, owner);
  }
  return index;
}
