/**
 * Header values from what a sender chose (file names, references) may hold any Unicode; HTTP header values are
 * bytes, safely only printable ASCII. These encodings carry them intact (RFC 8187 ext-value: UTF-8''percent-encoded).
 */

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** RFC 8187 attr-char: what an ext-value keeps as is; everything else is percent-encoded UTF-8. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

export function extValue(value: string): string {
  let encoded = "UTF-8''";
  for (const character of value) {
    if (ATTR_CHAR.test(character)) encoded += character;
    else for (const byte of Buffer.from(character, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** A value as is when it is printable ASCII (and does not itself look encoded), as an RFC 8187 ext-value otherwise. */
export function headerText(value: string): string {
  return PRINTABLE_ASCII.test(value) && !value.startsWith("UTF-8''") ? value : extValue(value);
}

/**
 * Content-Disposition for a file name (RFC 6266): an ASCII `filename` for clients that know no better (characters
 * outside printable ASCII, quotes and backslashes become '_'), and the exact name as `filename*` when it differs.
 */
export function contentDisposition(bestandsnaam: string): string {
  const fallback = [...bestandsnaam].map((character) => (/^[\x20-\x7e]$/.test(character) && character !== '"' && character !== '\\' ? character : '_')).join('');
  return fallback === bestandsnaam ? `attachment; filename="${fallback}"` : `attachment; filename="${fallback}"; filename*=${extValue(bestandsnaam)}`;
}
