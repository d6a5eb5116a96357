import { attributeOf, compileXPath, elementAt, elementsAt, isXmlError, textAt, withXmlDocument, type XmlDocument, type XmlElement, type XmlXPath } from '@poort/xml';
import { TransformError, type TransformResult } from './transformation.js';

/** A compact JSON view of a UBL 2.1 invoice. Amounts and quantities are the document's decimal strings. */
export interface InvoiceSummary {
  format: 'poort.invoice-summary.v1';
  invoiceId: string;
  issueDate: string;
  dueDate?: string;
  currency: string;
  supplier: InvoiceSummaryParty;
  customer: InvoiceSummaryParty;
  totals: {
    lineExtension: string;
    taxExclusive: string;
    taxInclusive: string;
    payable: string;
    tax: string;
  };
  lines: InvoiceSummaryLine[];
}

export interface InvoiceSummaryParty {
  name: string;
  endpointId: string;
  vatId?: string;
}

export interface InvoiceSummaryLine {
  id: string;
  name: string;
  quantity: string;
  unitCode: string;
  amount: string;
}

export const UBL_INVOICE_NAMESPACE = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';

const ns = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};
const x = (expression: string): XmlXPath => compileXPath(expression, ns);

// Relative to the Invoice element.
const invoiceXPath = {
  id: x('cbc:ID'),
  issueDate: x('cbc:IssueDate'),
  dueDate: x('cbc:DueDate'),
  currency: x('cbc:DocumentCurrencyCode'),
  supplier: x('cac:AccountingSupplierParty/cac:Party'),
  customer: x('cac:AccountingCustomerParty/cac:Party'),
  lineExtension: x('cac:LegalMonetaryTotal/cbc:LineExtensionAmount'),
  taxExclusive: x('cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount'),
  taxInclusive: x('cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'),
  payable: x('cac:LegalMonetaryTotal/cbc:PayableAmount'),
  taxAmounts: x('cac:TaxTotal/cbc:TaxAmount'),
  lines: x('cac:InvoiceLine'),
};
// Relative to cac:Party.
const partyXPath = {
  name: x('cac:PartyName/cbc:Name'),
  legalName: x('cac:PartyLegalEntity/cbc:RegistrationName'),
  endpointId: x('cbc:EndpointID'),
  vatId: x("cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = 'VAT']/cbc:CompanyID"),
};
// Relative to cac:InvoiceLine.
const lineXPath = {
  id: x('cbc:ID'),
  name: x('cac:Item/cbc:Name'),
  quantity: x('cbc:InvoicedQuantity'),
  amount: x('cbc:LineExtensionAmount'),
};

/** Reads the summary from a parsed UBL 2.1 Invoice. */
export function summarizeUblInvoice(doc: XmlDocument): InvoiceSummary {
  const invoice = doc.root;
  if (invoice.name !== 'Invoice' || invoice.namespaceUri !== UBL_INVOICE_NAMESPACE) {
    throw new TransformError('TRANSFORM_INPUT_INVALID',
      `Expected a UBL 2.1 Invoice ({${UBL_INVOICE_NAMESPACE}}Invoice), got {${invoice.namespaceUri}}${invoice.name}`);
  }
  const missing: string[] = [];
  const required = (context: XmlElement | undefined, xpath: XmlXPath, label: string): string => {
    const value = context === undefined ? undefined : textAt(context, xpath)?.trim();
    if (value === undefined || value === '') missing.push(label);
    return value ?? '';
  };
  const optional = (context: XmlElement | undefined, xpath: XmlXPath): string | undefined => {
    const value = context === undefined ? undefined : textAt(context, xpath)?.trim();
    return value === '' ? undefined : value;
  };
  const party = (xpath: XmlXPath, label: string): InvoiceSummaryParty => {
    const element = elementAt(invoice, xpath);
    const name = optional(element, partyXPath.name) ?? optional(element, partyXPath.legalName);
    if (name === undefined) missing.push(`${label}/PartyName or PartyLegalEntity/RegistrationName`);
    const summary: InvoiceSummaryParty = {
      name: name ?? '',
      endpointId: required(element, partyXPath.endpointId, `${label}/EndpointID`),
    };
    const vatId = optional(element, partyXPath.vatId);
    if (vatId !== undefined) summary.vatId = vatId;
    return summary;
  };

  const invoiceId = required(invoice, invoiceXPath.id, 'ID');
  const issueDate = required(invoice, invoiceXPath.issueDate, 'IssueDate');
  const dueDate = optional(invoice, invoiceXPath.dueDate);
  const currency = required(invoice, invoiceXPath.currency, 'DocumentCurrencyCode');
  const supplier = party(invoiceXPath.supplier, 'AccountingSupplierParty/Party');
  const customer = party(invoiceXPath.customer, 'AccountingCustomerParty/Party');
  const totals = {
    lineExtension: required(invoice, invoiceXPath.lineExtension, 'LegalMonetaryTotal/LineExtensionAmount'),
    taxExclusive: required(invoice, invoiceXPath.taxExclusive, 'LegalMonetaryTotal/TaxExclusiveAmount'),
    taxInclusive: required(invoice, invoiceXPath.taxInclusive, 'LegalMonetaryTotal/TaxInclusiveAmount'),
    payable: required(invoice, invoiceXPath.payable, 'LegalMonetaryTotal/PayableAmount'),
    tax: taxInDocumentCurrency(invoice, currency) ?? '',
  };
  if (totals.tax === '') missing.push('TaxTotal/TaxAmount');
  const lineElements = elementsAt(invoice, invoiceXPath.lines);
  if (lineElements.length === 0) missing.push('InvoiceLine');
  const lines = lineElements.map((line, index): InvoiceSummaryLine => {
    const label = `InvoiceLine[${index + 1}]`;
    const quantity = elementAt(line, lineXPath.quantity);
    const unitCode = quantity === undefined ? undefined : attributeOf(quantity, 'unitCode')?.trim();
    if (quantity !== undefined && (unitCode === undefined || unitCode === '')) missing.push(`${label}/InvoicedQuantity/@unitCode`);
    return {
      id: required(line, lineXPath.id, `${label}/ID`),
      name: required(line, lineXPath.name, `${label}/Item/Name`),
      quantity: required(line, lineXPath.quantity, `${label}/InvoicedQuantity`),
      unitCode: unitCode ?? '',
      amount: required(line, lineXPath.amount, `${label}/LineExtensionAmount`),
    };
  });
  if (missing.length > 0) {
    throw new TransformError('TRANSFORM_INPUT_INVALID', `UBL invoice lacks ${missing.join(', ')}`);
  }

  return {
    format: 'poort.invoice-summary.v1',
    invoiceId,
    issueDate,
    ...(dueDate === undefined ? {} : { dueDate }),
    currency,
    supplier,
    customer,
    totals,
    lines,
  };
}

/** EN 16931 allows a second TaxTotal in the tax currency; the summary reports the document currency's. */
function taxInDocumentCurrency(invoice: XmlElement, currency: string): string | undefined {
  const amounts = elementsAt(invoice, invoiceXPath.taxAmounts);
  const chosen = amounts.find((amount) => attributeOf(amount, 'currencyID')?.trim() === currency) ?? amounts[0];
  const value = chosen?.content.trim();
  return value === '' ? undefined : value;
}

/** The `ubl-invoice-to-json` transformation. */
export function ublInvoiceToJson(input: Uint8Array): TransformResult {
  let summary: InvoiceSummary;
  try {
    summary = withXmlDocument(input, summarizeUblInvoice);
  } catch (error) {
    if (isXmlError(error)) {
      throw new TransformError('TRANSFORM_INPUT_INVALID', `Input is not usable XML: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return {
    bytes: new TextEncoder().encode(JSON.stringify(summary)),
    mimeType: 'application/json',
    fileExtension: 'json',
  };
}
