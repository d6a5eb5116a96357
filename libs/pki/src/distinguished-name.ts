/*
 * Node prints a distinguished name (X509Certificate.subject/.issuer) one RDN per line, attributes of a multi-valued
 * RDN joined by " + ", values escaped as in RFC 2253 (`\,`, `\+`, control characters as `\0A`). A value can therefore
 * never contain a raw newline or a bare " + ", which is what makes splitting on them safe.
 */

/** The distinguished name on one line, RDNs in certificate order, separated by ", ". */
export function formatDistinguishedName(printed: string): string {
  return printed.split('\n').join(', ');
}

/** All values of one attribute type (as Node names it, e.g. `serialNumber`, `CN`), still RFC 2253-escaped. */
export function attributeValues(printed: string, type: string): string[] {
  const values: string[] = [];
  for (const rdn of printed.split('\n')) {
    for (const attribute of rdn.split(' + ')) {
      const equals = attribute.indexOf('=');
      if (equals > 0 && attribute.slice(0, equals) === type) values.push(attribute.slice(equals + 1));
    }
  }
  return values;
}
