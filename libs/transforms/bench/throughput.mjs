// Throughput sanity check of XML work, not a test: `pnpm exec tsc -b libs/transforms && node libs/transforms/bench/throughput.mjs`.
// Prints the median ops/s over several rounds for the sample UBL invoice, on one core.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalizeExclusive, compileSchema, parseXml, withXmlDocument } from '@poort/xml';

import { transformations } from '../dist/src/index.js';

const schemas = fileURLToPath(new URL('../../../config/schemas/', import.meta.url));
// The official UBL 2.1 schemas, fetched by scripts/bootstrap.sh (libs/standards).
const standards = process.env.POORT_STANDARDS_DIR ?? fileURLToPath(new URL('../../../.cache/standards/', import.meta.url));
const invoice = fs.readFileSync(`${schemas}ubl-invoice/samples/valid-invoice.xml`);
const compileStarted = performance.now();
const schema = compileSchema(`${standards}/ubl-2.1.xsd`, { root: standards });
const compileMs = performance.now() - compileStarted;

function measure(label, fn, rounds = 7, roundMs = 400) {
  for (let i = 0; i < 300; i++) fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const started = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      elapsed = performance.now() - started;
    } while (elapsed < roundMs);
    rates.push((n / elapsed) * 1000);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`${label.padEnd(44)} ${Math.round(median).toString().padStart(7)} ops/s  (${(1000 / median).toFixed(3)} ms/op)`);
}

console.log(`sample invoice: ${invoice.byteLength} bytes; schema compiled in ${compileMs.toFixed(1)} ms; node ${process.version}`);
measure('parse (safe parseXml + dispose)', () => parseXml(invoice).dispose());
measure('parse + XSD validate', () => withXmlDocument(invoice, (doc) => {
  if (!schema.validate(doc).valid) throw new Error('sample invoice should be valid');
}));
const parsed = parseXml(invoice);
measure('XSD validate a parsed document', () => schema.validate(parsed));
measure('exclusive C14N of a parsed document', () => canonicalizeExclusive(parsed));
parsed.dispose();
measure('ubl-invoice-to-json (parse + XPath + JSON)', () => transformations['ubl-invoice-to-json'](invoice));
schema.close();
