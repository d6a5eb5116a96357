import { parseArgs } from 'node:util';

import { generateTestPki, type TestPkiKeyAlgorithm } from './test-pki.js';

const USAGE = 'usage: node libs/pki/dist/src/generate-test-pki.cli.js <dir> [--if-missing] [--key-algorithm RSA-2048|ECDSA-P256] [--ocsp-url http://127.0.0.1:8899/]';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'if-missing': { type: 'boolean', default: false },
        'key-algorithm': { type: 'string', default: 'RSA-2048' },
        'ocsp-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [dir, ...extra] = positionals;
  const keyAlgorithm = values['key-algorithm'];
  if (dir === undefined || extra.length > 0 || !isKeyAlgorithm(keyAlgorithm)) {
    console.error(USAGE);
    return 2;
  }

  const startedAt = Date.now();
  const ocspUrl = values['ocsp-url'];
  const pki = await generateTestPki(dir, { ifMissing: values['if-missing'], keyAlgorithm, ...(ocspUrl === undefined ? {} : { ocspUrl }) });
  const what = pki.generatedAt.getTime() >= startedAt ? `generated in ${Date.now() - startedAt} ms` : 'already present, kept';
  console.log(`test PKI (${pki.keyAlgorithm}) in ${pki.dir}: ${what}; valid until ${pki.validUntil.toISOString()}`);
  if (pki.ocspUrl !== undefined) console.log(`  OCSP responder URL in the end-entity certificates: ${pki.ocspUrl}`);
  for (const [name, client] of Object.entries({ server: pki.server, ...pki.clients })) {
    console.log(`  ${name.padEnd(12)} ${client.oin}  ${client.cert}`);
  }
  return 0;
}

function isKeyAlgorithm(value: string | undefined): value is TestPkiKeyAlgorithm {
  return value === 'RSA-2048' || value === 'ECDSA-P256';
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
