import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateTestPki } from '@poort/pki';

export interface PemPair {
  certificatePem: string;
  privateKeyPem: string;
}

export interface TestCredentials {
  client: PemPair;
  server: PemPair;
}

// dist/test/support/ → repository root; the test PKI is shared with the other suites and never committed.
const PKI_DIR = fileURLToPath(new URL('../../../../../.local/test-pki', import.meta.url));

let loading: Promise<TestCredentials> | undefined;

/** RSA-2048 credentials of the test PKI: 'sender-a' as the client, the server certificate as the server. */
export function testCredentials(): Promise<TestCredentials> {
  loading ??= (async () => {
    const pki = await generateTestPki(PKI_DIR, { ifMissing: true });
    const read = async (cred: { cert: string; key: string }): Promise<PemPair> => ({
      certificatePem: await readFile(cred.cert, 'utf8'),
      privateKeyPem: await readFile(cred.key, 'utf8'),
    });
    return { client: await read(pki.clients['sender-a']), server: await read(pki.server) };
  })();
  return loading;
}
