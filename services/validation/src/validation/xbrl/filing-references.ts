import { compileXPath, withXmlDocument } from '@poort/xml';

const NAMESPACES = {
  xbrli: 'http://www.xbrl.org/2003/instance',
  link: 'http://www.xbrl.org/2003/linkbase',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
const schemaRefHrefs = compileXPath('/xbrli:xbrl/link:schemaRef/@xlink:href', NAMESPACES);
const allHrefs = compileXPath('//@xlink:href', NAMESPACES);
const schemaLocations = compileXPath('//@xsi:schemaLocation', NAMESPACES);
const noNamespaceSchemaLocations = compileXPath('//@xsi:noNamespaceSchemaLocation', NAMESPACES);

/** What a filing refers to outside itself, as the sender wrote it. */
export interface FilingReferences {
  /** The entry points its link:schemaRef elements name. */
  readonly schemaRefs: readonly string[];
  /**
   * References that could make Arelle read a file of its own machine (file:, an absolute or a relative path, which
   * Arelle resolves outside the submitted zip too): only the taxonomy's http(s) URLs, which the packages' catalogs
   * map offline, and references inside the filing (#id) are let through.
   */
  readonly refused: readonly string[];
}

export function referencesOf(content: Uint8Array): FilingReferences {
  return withXmlDocument(content, (doc) => {
    const locations = [
      // namespace and location in pairs
      ...doc.find(schemaLocations).flatMap((node) => tokensOf(node.content).filter((_, index) => index % 2 === 1)),
      ...doc.find(noNamespaceSchemaLocations).flatMap((node) => tokensOf(node.content)),
    ];
    const hrefs = doc.find(allHrefs).map((node) => node.content.trim());
    return {
      schemaRefs: doc.find(schemaRefHrefs).map((node) => node.content.trim()),
      refused: [...new Set([...hrefs, ...locations].filter((reference) => !reference.startsWith('#') && !/^https?:\/\//i.test(reference)))],
    };
  });
}

const tokensOf = (value: string): string[] => value.trim().split(/\s+/).filter(Boolean);
