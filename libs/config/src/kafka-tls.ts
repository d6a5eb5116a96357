import { readFileSync } from 'node:fs';

import type { EnvOf, kafkaEnv } from './common-env.js';

export interface KafkaTlsFiles {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** The PEM contents named by KAFKA_SSL_*_FILE, or undefined for plaintext; a certificate needs its key and a CA. */
export function kafkaTlsFromEnv(env: Pick<EnvOf<typeof kafkaEnv>, 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE'>): KafkaTlsFiles | undefined {
  const { KAFKA_SSL_CA_FILE: caFile, KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile } = env;
  if (!caFile) {
    if (certFile || keyFile) throw new Error('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE need KAFKA_SSL_CA_FILE');
    return undefined;
  }
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  return {
    ca: readFileSync(caFile, 'utf8'),
    ...(certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : {}),
  };
}
