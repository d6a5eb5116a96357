/** Escapes text for an XML text node or a double-quoted attribute value (XML 1.0 §2.4, §3.3.3). */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\n\t]/g, (character) => XML_ESCAPES[character]!);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Character references keep whitespace in attribute values from being normalized away.
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

