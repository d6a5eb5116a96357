export { encryptForRecipient, type EncryptedForRecipient, type EncryptForRecipientOptions, type RecipientEncryptionFormat } from './encrypt-for-recipient.js';
export {
  loadRecipientCertificate,
  MIN_RSA_MODULUS_BITS,
  readRecipientCertificate,
  type RecipientCertificate,
  type RecipientCertificateOptions,
  type RecipientCertificateSource,
} from './recipient-certificate.js';
export { isRecipientEncryptionError, RecipientEncryptionError, type RecipientEncryptionErrorCode } from './recipient-encryption-error.js';
export {
  encryptXml,
  XMLDSIG_NS,
  XMLENC11_NS,
  XMLENC_ALGORITHMS,
  XMLENC_MEDIA_TYPE,
  XMLENC_NS,
  type XmlEncryptionOptions,
} from './xml-encryption.js';
export { encryptJwe, JWE_ALGORITHMS, JWE_COMPACT_MEDIA_TYPE, type JweOptions } from './jwe.js';
