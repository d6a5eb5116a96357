export { parseForwardedCertificates, parsePemCertificates, splitPemCrls } from './certificate-encoding.js';
export {
  assertPurpose,
  type CertificatePurpose,
  type CertificateVerifier,
  TrustStoreVerifier,
  type TrustStoreVerifierOptions,
} from './certificate-verifier.js';
export { CrlStore, type CrlStoreOptions } from './crl-store.js';
export { OcspClient, type OcspOptions } from './ocsp-client.js';
export {
  PkiVerifier,
  type PkiVerifierOptions,
  type RevocationPolicy,
  verifierFromFiles,
  type VerifierFromFilesOptions,
} from './pki-verifier.js';
export type { RevocationStatus } from './revocation.js';
export {
  type ClientIdentity,
  type ForwardedIdentityOptions,
  identityFromCertificate,
  identityFromForwardedHeader,
  identityFromTlsSocket,
} from './client-identity.js';
export { ClientIdentityError, type ClientIdentityErrorCode } from './client-identity-error.js';
export { isOin, isTestOin, type Oin, OIN_PREFIXES, OinError, type OinErrorCode, type OinPrefix, oinPrefix, parseOin } from './oin.js';
export {
  generateTestPki,
  type GenerateTestPkiOptions,
  loadTestPki,
  TEST_PKI_OINS,
  type TestClientName,
  type TestClientStatus,
  type TestPki,
  type TestPkiClient,
  type TestPkiCredential,
  type TestPkiKeyAlgorithm,
  type TestPkiServer,
} from './test-pki.js';
export { startTestOcspResponder, type TestOcspResponder, type TestOcspResponderOptions } from './test-ocsp-responder.js';
export { KEY_USAGE, keyUsageFlags } from './certificate-extensions.js';
