// Invoices of a chosen size for the validation benchmark, made from an official SI-UBL 2.0 "ok" invoice: its header
// (parties, payment means, references) is kept as it is, its first InvoiceLine is repeated with other quantities,
// prices and VAT rates, and the VAT breakdown and totals are computed from the lines, in whole cents, so that the
// result still passes the UBL 2.1 schema and the SI-UBL 2.0 / EN 16931 rules. A benchmark that measured an invoice
// with rule errors would measure the error path.

/** The official invoice the benchmark starts from (relative to the standards directory). */
export const BASE_INVOICE = 'tests-simplerinvoicing/external/test-files/simplerinvoicing/SI-UBL-2.0.3.2/SI-UBL-2.0_ok_base.xml';

/** Dutch VAT rates, standard (S) category; the lines alternate between them. */
const VAT_RATES = [21, 9] as const;

interface BaseParts {
  /** Everything before the first cac:TaxTotal, with the indentation of its line. */
  readonly header: string;
  readonly indent: string;
  readonly lineTemplate: string;
  readonly currency: string;
}

export class InvoiceTemplateError extends Error {
  override readonly name = 'InvoiceTemplateError';
}

function split(base: string): BaseParts {
  const taxTotal = /\n([ \t]*)<cac:TaxTotal>/.exec(base);
  const line = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(base);
  const currency = /<cbc:DocumentCurrencyCode>([A-Z]{3})<\/cbc:DocumentCurrencyCode>/.exec(base);
  if (!taxTotal || !line || !currency) throw new InvoiceTemplateError('the base invoice needs a cac:TaxTotal, a cac:InvoiceLine and a cbc:DocumentCurrencyCode');
  if (/<cac:AllowanceCharge>|<cbc:PrepaidAmount|<cbc:PayableRoundingAmount/.test(base)) {
    throw new InvoiceTemplateError('the base invoice must have no allowances, charges, prepaid or rounding amounts: the totals are recomputed from the lines only');
  }
  for (const element of ['cbc:ID', 'cbc:InvoicedQuantity', 'cbc:LineExtensionAmount', 'cbc:Name', 'cbc:Percent', 'cbc:PriceAmount']) {
    if (!line[0].includes(`<${element}`)) throw new InvoiceTemplateError(`the base invoice's first cac:InvoiceLine has no ${element}`);
  }
  return { header: base.slice(0, taxTotal.index + 1), indent: taxTotal[1] ?? '', lineTemplate: line[0], currency: currency[1] ?? 'EUR' };
}

const amount = (cents: number): string => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** Replaces the content of the first `<element …>…</element>` in `xml`. */
function withContent(xml: string, element: string, content: string): string {
  const pattern = new RegExp(`(<${element}(?:\\s[^>]*)?>)[^<]*(</${element}>)`);
  return xml.replace(pattern, (_match, open: string, close: string) => `${open}${content}${close}`);
}

interface Line {
  readonly xml: string;
  readonly rate: number;
  readonly cents: number;
}

function makeLine(template: string, index: number): Line {
  const quantity = 1 + (index % 7);
  const priceCents = 100 + ((index * 3_719) % 99_900);
  const rate = VAT_RATES[index % VAT_RATES.length] ?? 21;
  const cents = quantity * priceCents;
  let xml = withContent(template, 'cbc:ID', String(index + 1));
  xml = withContent(xml, 'cbc:InvoicedQuantity', String(quantity));
  xml = withContent(xml, 'cbc:LineExtensionAmount', amount(cents));
  xml = withContent(xml, 'cbc:Name', `Benchmark article ${index + 1}`);
  xml = xml.replace(/(<cac:SellersItemIdentification>\s*<cbc:ID>)[^<]*/, `$1${String(100_000 + index)}`);
  xml = withContent(xml, 'cbc:Percent', String(rate));
  xml = withContent(xml, 'cbc:PriceAmount', amount(priceCents));
  return { xml, rate, cents };
}

function taxTotal(lines: readonly Line[], currency: string, indent: string): { xml: string; taxCents: number } {
  const step = indent.length > 0 ? indent : '    ';
  const byRate = new Map<number, number>();
  for (const line of lines) byRate.set(line.rate, (byRate.get(line.rate) ?? 0) + line.cents);
  let taxCents = 0;
  const subtotals: string[] = [];
  for (const [rate, taxable] of [...byRate].sort(([a], [b]) => b - a)) {
    // EN 16931 BR-CO-17: the category's VAT is its taxable amount × rate, rounded to cents (half up, as XPath round).
    const tax = Math.round((taxable * rate) / 100);
    taxCents += tax;
    const i = (depth: number): string => indent + step.repeat(depth);
    subtotals.push(
      `${i(1)}<cac:TaxSubtotal>`,
      `${i(2)}<cbc:TaxableAmount currencyID="${currency}">${amount(taxable)}</cbc:TaxableAmount>`,
      `${i(2)}<cbc:TaxAmount currencyID="${currency}">${amount(tax)}</cbc:TaxAmount>`,
      `${i(2)}<cac:TaxCategory>`,
      `${i(3)}<cbc:ID>S</cbc:ID>`,
      `${i(3)}<cbc:Percent>${rate}</cbc:Percent>`,
      `${i(3)}<cac:TaxScheme>`,
      `${i(4)}<cbc:ID>VAT</cbc:ID>`,
      `${i(3)}</cac:TaxScheme>`,
      `${i(2)}</cac:TaxCategory>`,
      `${i(1)}</cac:TaxSubtotal>`,
    );
  }
  const xml = [
    `${indent}<cac:TaxTotal>`,
    `${indent}${step}<cbc:TaxAmount currencyID="${currency}">${amount(taxCents)}</cbc:TaxAmount>`,
    ...subtotals,
    `${indent}</cac:TaxTotal>`,
  ].join('\n');
  return { xml, taxCents };
}

/**
 * An invoice with `lineCount` lines, built from `base` (the text of a valid SI-UBL 2.0 invoice, e.g.
 * {@link BASE_INVOICE}).
 */
export function generateInvoice(base: string, lineCount: number): string {
  if (!Number.isSafeInteger(lineCount) || lineCount < 1) throw new RangeError(`lineCount must be a positive integer, got ${lineCount}`);
  const { header, indent, lineTemplate, currency } = split(base);
  const lines = Array.from({ length: lineCount }, (_, index) => makeLine(lineTemplate, index));
  const lineCents = lines.reduce((sum, line) => sum + line.cents, 0);
  const tax = taxTotal(lines, currency, indent);
  const step = indent.length > 0 ? indent : '    ';
  const total = (element: string, cents: number): string => `${indent}${step}<cbc:${element} currencyID="${currency}">${amount(cents)}</cbc:${element}>`;
  return [
    header + tax.xml,
    `${indent}<cac:LegalMonetaryTotal>`,
    total('LineExtensionAmount', lineCents),
    total('TaxExclusiveAmount', lineCents),
    total('TaxInclusiveAmount', lineCents + tax.taxCents),
    total('PayableAmount', lineCents + tax.taxCents),
    `${indent}</cac:LegalMonetaryTotal>`,
    ...lines.map((line) => `${indent}${line.xml}`),
    '</Invoice>',
    '',
  ].join('\n');
}

/** The number of lines that brings an invoice built from `base` closest to `targetBytes` (UTF-8). */
export function linesForSize(base: string, targetBytes: number): number {
  const probe = 1_000;
  const fixed = 2 * Buffer.byteLength(generateInvoice(base, 1)) - Buffer.byteLength(generateInvoice(base, 2));
  const perLine = (Buffer.byteLength(generateInvoice(base, probe)) - fixed) / probe;
  return Math.max(1, Math.round((targetBytes - fixed) / perLine));
}

/** Peppol BIS Billing 3's specification identifier (BT-24). */
export const PEPPOL_BIS3_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';

/**
 * The same invoice as a Peppol BIS Billing 3 invoice: Peppol's specification identifier, an electronic address
 * (EndpointID, KvK scheme 0106) for seller and buyer, and the Dutch VAT and KvK numbers in the formats Peppol checks.
 */
export function toPeppolBis3(invoice: string): string {
  let party = 0;
  return invoice
    .replace(/(<cbc:CustomizationID>)[^<]*/, `$1${PEPPOL_BIS3_CUSTOMIZATION}`)
    .replace(/(\n([ \t]*)<cac:Party>)/g, (_match, open: string, indent: string) => {
      party += 1;
      return `${open}\n${indent}    <cbc:EndpointID schemeID="0106">${String(12_345_677 + party)}</cbc:EndpointID>`;
    })
    .replace(/(<cac:PartyTaxScheme>\s*<cbc:CompanyID>)NL[^<]*/g, '$1NL123456789B01')
    .replace(/(<cbc:CompanyID schemeID="0106">)(?!\d{8}<)[^<]*/g, '$112345678');
}
