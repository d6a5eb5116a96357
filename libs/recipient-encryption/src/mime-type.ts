import { RecipientEncryptionError } from './recipient-encryption-error.js';

// RFC 6838 §4.2 restricted names for type and subtype; parameters (RFC 2045 §5.1) as token=token|quoted-string.
const TOKEN = "[A-Za-z0-9!#$&^_.+-]{1,127}";
const PARAMETER = `;\\s*[A-Za-z0-9!#$%&'*+.^_\`|~-]+=(?:[A-Za-z0-9!#$%&'*+.^_\`|~-]+|"(?:[^"\\\\\\r\\n]|\\\\.)*")`;
const MIME_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*${PARAMETER})*$`);
const MAX_MIME_TYPE_LENGTH = 255;

/** Checks a MIME type the content is said to have (berichtInhoud's mimeType is at most 255 characters). */
export function checkMimeType(mimeType: string): string {
  if (mimeType.length > MAX_MIME_TYPE_LENGTH || !MIME_TYPE.test(mimeType)) {
    throw new RecipientEncryptionError('INVALID_MIME_TYPE', `'${mimeType.slice(0, 80)}' is not a MIME type (type/subtype[; parameters], at most 255 characters)`);
  }
  return mimeType;
}

