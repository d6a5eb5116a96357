import { createPrivateKey, createPublicKey, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

import { generateTestPki } from '@poort/pki';
import { verifySoapRequest } from '@poort/ws-security';
import { canonicalizeExclusive, compileXPath, elementAt, withXmlDocument } from '@poort/xml';

import { AANLEVER_PATH, signAanleveren } from './wus-request.js';

// Signature benchmark (issue #3): verifications per second on one core for a signed ~10 KB WUS aanleveren
// request, three ways in the same run: @poort/ws-security (parse with @poort/xml + verifySoapRequest),
// xml-crypto (its own parse + checkSignature) and a raw node:crypto RSA-2048 verify of an input as large as
// the canonical SignedInfo. Each is measured for a fixed time per round, over several rounds; medians reported.

const ROOT = process.env.POORT_ROOT ?? join(import.meta.dirname, '../../..');
const TARGET_PER_CORE = 1_000;
const TARGET_BYTES = 10 * 1024;

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' } },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
if (!(SECONDS > 0) || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: signature.js [--seconds S] [--rounds R]   (S > 0 seconds per measurement and round, R ≥ 1)');
  process.exit(64);
}

// --- the request ----------------------------------------------------------------------------------------------
const pki = await generateTestPki(join(ROOT, '.local/test-pki'), { ifMissing: true });
const signer = {
  certificatePem: readFileSync(pki.clients['sender-a'].cert, 'utf8'),
  privateKeyPem: readFileSync(pki.clients['sender-a'].key, 'utf8'),
};
const { certificatePem, privateKeyPem } = signer;

function signedRequest(payloadBytes: number) {
  const payload = Buffer.alloc(payloadBytes, '<xbrli:xbrl>Omzetbelasting</xbrli:xbrl>').toString('base64');
  return signAanleveren(
    { to: `https://poort.test${AANLEVER_PATH}`, berichtsoort: 'Omzetbelasting', aanleverkenmerk: 'BENCH-0001', bestandsnaam: 'omzetbelasting.xbrl', inhoudBase64: payload },
    signer,
  );
}

// Size the base64 berichtInhoud so that the whole signed request is about 10 KB.
const probe = signedRequest(0).xml;
const { xml: request, created } = signedRequest(Math.max(0, Math.floor(((TARGET_BYTES - Buffer.byteLength(probe)) * 3) / 4)));
const requestBytes = Buffer.byteLength(request);

// --- the three verifiers --------------------------------------------------------------------------------------
function poortVerify(): void {
  withXmlDocument(request, (doc) => verifySoapRequest(doc, {}, created));
}

function xmlCryptoVerify(): void {
  const doc = new DOMParser().parseFromString(request, 'text/xml');
  // xml-crypto cannot follow a SecurityTokenReference to a BinarySecurityToken: it is handed the certificate.
  const sig = new SignedXml({ publicCert: certificatePem, idMode: 'wssecurity', getCertFromKeyInfo: () => null });
  const [signature] = sig.findSignatures(doc);
  if (signature === undefined) throw new Error('xml-crypto found no signature');
  sig.loadSignature(signature);
  if (!sig.checkSignature(request)) throw new Error('xml-crypto rejected the request');
}

const SIGNED_INFO = compileXPath('//ds:SignedInfo', { ds: 'http://www.w3.org/2000/09/xmldsig#' });
const signedInfoBytes = withXmlDocument(request, (doc) => {
  const signedInfo = elementAt(doc, SIGNED_INFO);
  if (signedInfo === undefined) throw new Error('no SignedInfo');
  return canonicalizeExclusive(signedInfo).byteLength;
});
const rawInput = Buffer.alloc(signedInfoBytes, 0x61);
const publicKey = createPublicKey(certificatePem);
const rawSignature = rsaSign('sha256', rawInput, createPrivateKey(privateKeyPem));
function rawRsaVerify(): void {
  if (!rsaVerify('sha256', rawInput, publicKey, rawSignature)) throw new Error('raw RSA verify failed');
}

// --- measuring ------------------------------------------------------------------------------------------------
interface Measure { name: string; label: string; run: () => void; rounds: number[] }
const measures: Measure[] = [
  { name: 'poort', label: '@poort/ws-security (parse + verifySoapRequest)', run: poortVerify, rounds: [] },
  { name: 'xmlCrypto', label: 'xml-crypto 6 (parse + checkSignature)', run: xmlCryptoVerify, rounds: [] },
  { name: 'rawRsa', label: `node:crypto RSA-2048 verify (${signedInfoBytes} B input)`, run: rawRsaVerify, rounds: [] },
];

function opsPerSecond(run: () => void, seconds: number): number {
  const end = performance.now() + seconds * 1000;
  let ops = 0;
  let now = performance.now();
  const start = now;
  while (now < end) {
    run();
    ops += 1;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

// Everything must accept the request before anything is timed; then warm up the JIT.
for (const m of measures) m.run();
for (const m of measures) opsPerSecond(m.run, Math.min(0.5, SECONDS));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const m of measures) m.rounds.push(opsPerSecond(m.run, SECONDS));
}

const [poort, xmlCrypto, rawRsa] = measures.map((m) => median(m.rounds));
if (poort === undefined || xmlCrypto === undefined || rawRsa === undefined) throw new Error('unreachable');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const cpuModel = cpus()[0]?.model ?? 'unknown';

console.log(`Signature verification, one thread, ${requestBytes} B signed WUS request (5 references, exc-c14n, RSA-SHA256)`);
console.log(`${ROUNDS} rounds × ${SECONDS} s per verifier; medians. CPU: ${cpuModel}; availableParallelism: ${availableParallelism()}`);
console.log('');
console.log(`| verifier | median ops/s | rounds (ops/s) |`);
console.log(`| --- | ---: | --- |`);
for (const m of measures) console.log(`| ${m.label} | ${fmt(median(m.rounds))} | ${m.rounds.map(fmt).join(', ')} |`);
console.log('');
console.log(`ratio @poort/ws-security / xml-crypto: ${(poort / xmlCrypto).toFixed(1)}×`);
console.log(`ratio @poort/ws-security / raw RSA verify: ${(poort / rawRsa).toFixed(3)}`);
console.log(`target ≥ ${fmt(TARGET_PER_CORE)} verifications/s per core: ${poort >= TARGET_PER_CORE ? 'met' : 'NOT met'}`);
console.log(JSON.stringify({
  benchmark: 'signature',
  requestBytes,
  signedInfoBytes,
  seconds: SECONDS,
  rounds: ROUNDS,
  availableParallelism: availableParallelism(),
  cpu: cpuModel,
  opsPerSecond: { poort, xmlCrypto, rawRsa },
  roundsOpsPerSecond: Object.fromEntries(measures.map((m) => [m.name, m.rounds])),
  ratios: { poortOverXmlCrypto: poort / xmlCrypto, poortOverRawRsa: poort / rawRsa },
  targetPerCore: TARGET_PER_CORE,
  targetMet: poort >= TARGET_PER_CORE,
}));
