import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { compactDecrypt, type CompactJWEHeaderParameters } from 'jose';
import nodeJose from 'node-jose';
import * as xmlEncryption from 'xml-encryption';

/*
 * Decryptors that share no code with @poort/recipient-encryption, so a test that round-trips through one of them
 * shows the output is what the standards say, not merely what Poort's own reader expects:
 * - xml-encryption (npm, auth0): a complete XML Encryption reader. It returns the plaintext as a UTF-8 string, so it
 *   can only check text content byte for byte.
 * - xmlenc_decrypt.py: pyca/cryptography (OpenSSL) for RSA-OAEP and AES-GCM, Python's ElementTree for the document;
 *   returns bytes, so binary content is checked too.
 * - jose and node-jose (npm, Cisco) for JWE; jose is also the encrypting library, node-jose is the independent one.
 */

const PYTHON = process.env.POORT_PYTHON ?? 'python3';
const PY_DECRYPTOR = fileURLToPath(new URL('../../scripts/xmlenc_decrypt.py', import.meta.url));

export function decryptWithXmlEncryption(xml: Buffer, privateKeyPem: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    xmlEncryption.decrypt(xml.toString('utf8'), { key: privateKeyPem }, (error, plaintext) => {
      if (error) reject(error);
      else resolve(Buffer.from(plaintext ?? '', 'utf8'));
    });
  });
}

/** Decrypts with pyca/cryptography; throws with the decryptor's own message when it refuses. */
export function decryptWithPyca(xml: Buffer, privateKeyPath: string): Buffer {
  const run = spawnSync(PYTHON, [PY_DECRYPTOR, privateKeyPath], { input: xml, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`${PYTHON} could not be run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`xmlenc_decrypt.py exited ${run.status}: ${run.stderr.toString('utf8').trim()}`);
  return run.stdout;
}

/** Fails the suite up front when python3 lacks pyca/cryptography, instead of failing every case obscurely. */
export function assertPycaAvailable(): void {
  const run = spawnSync(PYTHON, ['-c', 'import cryptography; print(cryptography.__version__)'], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`the independent XML decryptor needs ${PYTHON} with the 'cryptography' package (pyca): ${run.stderr || run.error?.message}`);
  }
}

export async function decryptWithJose(token: Buffer, privateKeyPem: Buffer): Promise<{ plaintext: Buffer; header: CompactJWEHeaderParameters }> {
  const { createPrivateKey } = await import('node:crypto');
  const { plaintext, protectedHeader } = await compactDecrypt(token.toString('ascii'), createPrivateKey(privateKeyPem), {
    keyManagementAlgorithms: ['RSA-OAEP-256'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  return { plaintext: Buffer.from(plaintext), header: protectedHeader };
}

export async function decryptWithNodeJose(token: Buffer, privateKeyPem: Buffer): Promise<{ plaintext: Buffer; header: Record<string, unknown> }> {
  const key = await nodeJose.JWK.asKey(privateKeyPem.toString('utf8'), 'pem');
  const result = await nodeJose.JWE.createDecrypt(key).decrypt(token.toString('ascii'));
  return { plaintext: Buffer.from(result.plaintext), header: result.header as Record<string, unknown> };
}
