import {
  attributeOf,
  compileXPath,
  element,
  elementAt,
  elementsAt,
  isXmlError,
  leaf,
  requiredElement,
  serializeXml,
  textAt,
  withXmlDocument,
  type XmlDocument,
  type XmlElement,
  type XmlOut,
  type XmlXPath,
} from '@poort/xml';
import { TransformError, type TransformResult } from './transformation.js';
import { UBL_INVOICE_NAMESPACE } from './ubl-invoice-summary.js';

/**
 * UBL 2.1 Invoice or CreditNote → UN/CEFACT Cross Industry Invoice D16B, business term by business term as the
 * EN 16931 syntax bindings (EN 16931-3-2 for UBL, 3-3 for CII) place them. The CII schema is made of sequences, so
 * every element below is written in its schema's order. Amounts, quantities and codes are copied as written;
 * dates become CII's format 102 (YYYYMMDD).
 *
 * Where CII has room for less than UBL (one preceding invoice reference, one payment terms text), the first is
 * kept, or the texts are joined.
 */

export const UBL_CREDIT_NOTE_NAMESPACE = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2';

export const CII_NAMESPACES = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const;

/** What differs between a UBL Invoice and a UBL CreditNote, as far as the mapping goes. */
interface UblDocumentKind {
  readonly typeCode: string;
  readonly defaultTypeCode: string;
  readonly line: string;
  readonly quantity: string;
  /** BT-9: an invoice has it on the document, a credit note on its payment means. */
  readonly dueDate: string;
}

const KINDS: Readonly<Record<string, UblDocumentKind>> = {
  [`{${UBL_INVOICE_NAMESPACE}}Invoice`]: {
    typeCode: 'cbc:InvoiceTypeCode',
    defaultTypeCode: '380',
    line: 'cac:InvoiceLine',
    quantity: 'cbc:InvoicedQuantity',
    dueDate: 'cbc:DueDate',
  },
  [`{${UBL_CREDIT_NOTE_NAMESPACE}}CreditNote`]: {
    typeCode: 'cbc:CreditNoteTypeCode',
    defaultTypeCode: '381',
    line: 'cac:CreditNoteLine',
    quantity: 'cbc:CreditedQuantity',
    dueDate: 'cac:PaymentMeans/cbc:PaymentDueDate',
  },
};

/** UNTDID 2005 (UBL's BT-8 codes) → UNTDID 2475 (CII's). */
const VAT_POINT_DATE_CODES: Readonly<Record<string, string>> = { '3': '5', '35': '29', '432': '72' };

const SEPA = 'SEPA';

/** The CII rendition of a parsed UBL Invoice or CreditNote, as XML text. */
export function ublToCii(doc: XmlDocument): string {
  const root = doc.root;
  const kind = KINDS[`{${root.namespaceUri}}${root.name}`];
  if (kind === undefined) {
    throw new TransformError('TRANSFORM_INPUT_INVALID', `Expected a UBL 2.1 Invoice or CreditNote, got {${root.namespaceUri}}${root.name}`);
  }
  const missing = ['cbc:ID', 'cbc:IssueDate', 'cbc:DocumentCurrencyCode', 'cac:LegalMonetaryTotal/cbc:PayableAmount', kind.line].filter(
    (path) => (path === kind.line ? all(root, path).length === 0 : text(root, path) === undefined),
  );
  if (missing.length > 0) throw new TransformError('TRANSFORM_INPUT_INVALID', `UBL ${root.name} lacks ${missing.join(', ')}`);

  const invoice = requiredElement(
    'rsm:CrossIndustryInvoice',
    requiredElement(
      'rsm:ExchangedDocumentContext',
      element('ram:BusinessProcessSpecifiedDocumentContextParameter', leaf('ram:ID', text(root, 'cbc:ProfileID'))),
      element('ram:GuidelineSpecifiedDocumentContextParameter', leaf('ram:ID', text(root, 'cbc:CustomizationID'))),
    ),
    requiredElement(
      'rsm:ExchangedDocument',
      leaf('ram:ID', text(root, 'cbc:ID')),
      leaf('ram:TypeCode', text(root, kind.typeCode) ?? kind.defaultTypeCode),
      dateTime('ram:IssueDateTime', text(root, 'cbc:IssueDate')),
      all(root, 'cbc:Note').map(note),
    ),
    requiredElement(
      'rsm:SupplyChainTradeTransaction',
      all(root, kind.line).map((line) => lineItem(line, kind)),
      headerAgreement(root),
      headerDelivery(root),
      headerSettlement(root, kind),
    ),
  );
  return serializeXml(invoice, CII_NAMESPACES);
}

/** The `ubl-invoice-to-cii` transformation. */
export function ublInvoiceToCii(input: Uint8Array): TransformResult {
  let cii: string;
  try {
    cii = withXmlDocument(input, ublToCii);
  } catch (error) {
    if (isXmlError(error)) {
      throw new TransformError('TRANSFORM_INPUT_INVALID', `Input is not usable XML: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return { bytes: new TextEncoder().encode(cii), mimeType: 'application/xml', fileExtension: 'xml' };
}

// ---- document level ------------------------------------------------------------------------------------------

/** BT-22, with BT-21 when the note starts with the `#CODE#` convention (UNTDID 4451). */
function note(noteElement: XmlElement): XmlOut | undefined {
  const content = noteElement.content.trim();
  if (content === '') return undefined;
  const coded = /^#([A-Z]{3})#([\s\S]*)$/.exec(content);
  return element('ram:IncludedNote', leaf('ram:Content', coded ? coded[2]! : content), leaf('ram:SubjectCode', coded?.[1]));
}

function headerAgreement(root: XmlElement): XmlOut {
  const documents = all(root, 'cac:AdditionalDocumentReference');
  const isObjectIdentifier = (reference: XmlElement) => text(reference, 'cbc:DocumentTypeCode') === '130';
  const projectId = text(root, 'cac:ProjectReference/cbc:ID');
  return requiredElement(
    'ram:ApplicableHeaderTradeAgreement',
    leaf('ram:BuyerReference', text(root, 'cbc:BuyerReference')),
    tradeParty('ram:SellerTradeParty', one(root, 'cac:AccountingSupplierParty/cac:Party')),
    tradeParty('ram:BuyerTradeParty', one(root, 'cac:AccountingCustomerParty/cac:Party')),
    tradeParty('ram:SellerTaxRepresentativeTradeParty', one(root, 'cac:TaxRepresentativeParty')),
    referencedDocument('ram:SellerOrderReferencedDocument', text(root, 'cac:OrderReference/cbc:SalesOrderID')),
    referencedDocument('ram:BuyerOrderReferencedDocument', text(root, 'cac:OrderReference/cbc:ID')),
    referencedDocument('ram:ContractReferencedDocument', text(root, 'cac:ContractDocumentReference/cbc:ID')),
    documents.filter((reference) => !isObjectIdentifier(reference)).map(attachment),
    // BT-17 tender or lot, BT-18 invoiced object: references with a document type of their own.
    all(root, 'cac:OriginatorDocumentReference').map((reference) =>
      element('ram:AdditionalReferencedDocument', leaf('ram:IssuerAssignedID', text(reference, 'cbc:ID')), leaf('ram:TypeCode', '50')),
    ),
    documents.filter(isObjectIdentifier).map(objectIdentifier),
    projectId === undefined
      ? undefined
      : element('ram:SpecifiedProcuringProject', leaf('ram:ID', projectId), leaf('ram:Name', 'Project reference')),
  );
}

/** BG-24, the document referred to by its location or embedded. */
function attachment(reference: XmlElement): XmlOut | undefined {
  const embedded = one(reference, 'cac:Attachment/cbc:EmbeddedDocumentBinaryObject');
  return element(
    'ram:AdditionalReferencedDocument',
    leaf('ram:IssuerAssignedID', text(reference, 'cbc:ID')),
    leaf('ram:URIID', text(reference, 'cac:Attachment/cac:ExternalReference/cbc:URI')),
    leaf('ram:TypeCode', '916'),
    leaf('ram:Name', text(reference, 'cbc:DocumentDescription')),
    embedded === undefined
      ? undefined
      : leaf('ram:AttachmentBinaryObject', embedded.content.trim(), {
        mimeCode: attribute(embedded, 'mimeCode'),
        filename: attribute(embedded, 'filename'),
      }),
  );
}

/** BT-18 (document level) or BT-128 (line level), with its identification scheme. */
function objectIdentifier(reference: XmlElement): XmlOut | undefined {
  const id = one(reference, 'cbc:ID');
  return element(
    'ram:AdditionalReferencedDocument',
    leaf('ram:IssuerAssignedID', text(reference, 'cbc:ID')),
    leaf('ram:TypeCode', '130'),
    leaf('ram:ReferenceTypeCode', id && attribute(id, 'schemeID')),
  );
}

function referencedDocument(name: string, id: string | undefined, issueDate?: string): XmlOut | undefined {
  if (id === undefined) return undefined;
  return element(
    name,
    leaf('ram:IssuerAssignedID', id),
    issueDate === undefined ? undefined : element('ram:FormattedIssueDateTime', leaf('qdt:DateTimeString', date102(issueDate), { format: '102' })),
  );
}

function headerDelivery(root: XmlElement): XmlOut {
  const delivery = one(root, 'cac:Delivery');
  const location = one(delivery, 'cac:DeliveryLocation');
  const deliveryDate = text(delivery, 'cbc:ActualDeliveryDate');
  return requiredElement(
    'ram:ApplicableHeaderTradeDelivery',
    element(
      'ram:ShipToTradeParty',
      identifier(one(location, 'cbc:ID')),
      leaf('ram:Name', text(delivery, 'cac:DeliveryParty/cac:PartyName/cbc:Name')),
      address(one(location, 'cac:Address')),
    ),
    element('ram:ActualDeliverySupplyChainEvent', dateTime('ram:OccurrenceDateTime', deliveryDate)),
    referencedDocument('ram:DespatchAdviceReferencedDocument', text(root, 'cac:DespatchDocumentReference/cbc:ID')),
    referencedDocument('ram:ReceivingAdviceReferencedDocument', text(root, 'cac:ReceiptDocumentReference/cbc:ID')),
  );
}

function headerSettlement(root: XmlElement, kind: UblDocumentKind): XmlOut {
  const currency = text(root, 'cbc:DocumentCurrencyCode')!;
  // CII's BR-53 refuses a VAT accounting currency equal to the invoice currency, which UBL's allows: it says nothing more.
  const taxCurrency = text(root, 'cbc:TaxCurrencyCode') === currency ? undefined : text(root, 'cbc:TaxCurrencyCode');
  const payee = one(root, 'cac:PayeeParty');
  const paymentMeans = all(root, 'cac:PaymentMeans');
  const creditorReference =
    text(root, `cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='${SEPA}']`) ??
    text(payee, `cac:PartyIdentification/cbc:ID[@schemeID='${SEPA}']`);
  // BT-110 in the document currency comes first; BT-111, in the VAT accounting currency, after it.
  const taxTotals = all(root, 'cac:TaxTotal/cbc:TaxAmount').sort((a, b) => Number(attribute(a, 'currencyID') !== currency) - Number(attribute(b, 'currencyID') !== currency));
  const breakdown = all(root, 'cac:TaxTotal/cac:TaxSubtotal').filter((subtotal) => {
    const amount = one(subtotal, 'cbc:TaxAmount');
    return amount === undefined || attribute(amount, 'currencyID') === undefined || attribute(amount, 'currencyID') === currency;
  });
  const vatPointDate = text(root, 'cbc:TaxPointDate');
  const vatPointDateCode = text(root, 'cac:InvoicePeriod/cbc:DescriptionCode');
  const precedingInvoice = one(root, 'cac:BillingReference/cac:InvoiceDocumentReference');
  const totals = one(root, 'cac:LegalMonetaryTotal');
  return requiredElement(
    'ram:ApplicableHeaderTradeSettlement',
    leaf('ram:CreditorReferenceID', creditorReference),
    leaf('ram:PaymentReference', paymentMeans.map((means) => text(means, 'cbc:PaymentID')).find((id) => id !== undefined)),
    leaf('ram:TaxCurrencyCode', taxCurrency),
    leaf('ram:InvoiceCurrencyCode', currency),
    tradeParty('ram:PayeeTradeParty', payee),
    paymentMeans.map(settlementPaymentMeans),
    // BT-7 and BT-8 are said once, on the first VAT breakdown (CII-SR-461).
    breakdown.map((subtotal, index) =>
      element(
        'ram:ApplicableTradeTax',
        leaf('ram:CalculatedAmount', text(subtotal, 'cbc:TaxAmount')),
        leaf('ram:TypeCode', 'VAT'),
        leaf('ram:ExemptionReason', text(subtotal, 'cac:TaxCategory/cbc:TaxExemptionReason')),
        leaf('ram:BasisAmount', text(subtotal, 'cbc:TaxableAmount')),
        leaf('ram:CategoryCode', text(subtotal, 'cac:TaxCategory/cbc:ID')),
        leaf('ram:ExemptionReasonCode', text(subtotal, 'cac:TaxCategory/cbc:TaxExemptionReasonCode')),
        vatPointDate === undefined || index > 0 ? undefined : element('ram:TaxPointDate', leaf('udt:DateString', date102(vatPointDate), { format: '102' })),
        leaf('ram:DueDateTypeCode', vatPointDateCode === undefined || index > 0 ? undefined : (VAT_POINT_DATE_CODES[vatPointDateCode] ?? vatPointDateCode)),
        leaf('ram:RateApplicablePercent', text(subtotal, 'cac:TaxCategory/cbc:Percent')),
      ),
    ),
    period('ram:BillingSpecifiedPeriod', one(root, 'cac:InvoicePeriod')),
    all(root, 'cac:AllowanceCharge').map((allowanceCharge) => tradeAllowanceCharge(allowanceCharge, true)),
    element(
      'ram:SpecifiedTradePaymentTerms',
      leaf('ram:Description', joined(all(root, 'cac:PaymentTerms/cbc:Note'))),
      dateTime('ram:DueDateDateTime', text(root, kind.dueDate)),
      leaf('ram:DirectDebitMandateID', paymentMeans.map((means) => text(means, 'cac:PaymentMandate/cbc:ID')).find((id) => id !== undefined)),
    ),
    requiredElement(
      'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
      leaf('ram:LineTotalAmount', text(totals, 'cbc:LineExtensionAmount')),
      leaf('ram:ChargeTotalAmount', text(totals, 'cbc:ChargeTotalAmount')),
      leaf('ram:AllowanceTotalAmount', text(totals, 'cbc:AllowanceTotalAmount')),
      leaf('ram:TaxBasisTotalAmount', text(totals, 'cbc:TaxExclusiveAmount')),
      taxTotals.map((amount) => leaf('ram:TaxTotalAmount', amount.content.trim() || undefined, { currencyID: attribute(amount, 'currencyID') ?? currency })),
      leaf('ram:RoundingAmount', text(totals, 'cbc:PayableRoundingAmount')),
      leaf('ram:GrandTotalAmount', text(totals, 'cbc:TaxInclusiveAmount')),
      leaf('ram:TotalPrepaidAmount', text(totals, 'cbc:PrepaidAmount')),
      leaf('ram:DuePayableAmount', text(totals, 'cbc:PayableAmount')),
    ),
    referencedDocument('ram:InvoiceReferencedDocument', text(precedingInvoice, 'cbc:ID'), text(precedingInvoice, 'cbc:IssueDate')),
    element('ram:ReceivableSpecifiedTradeAccountingAccount', leaf('ram:ID', text(root, 'cbc:AccountingCost'))),
  );
}

/** BG-16 with BG-17 (credit transfer), BG-18 (card) and the debited account of BG-19 (direct debit). */
function settlementPaymentMeans(means: XmlElement): XmlOut | undefined {
  const code = one(means, 'cbc:PaymentMeansCode');
  const account = text(means, 'cac:PayeeFinancialAccount/cbc:ID');
  const iban = account !== undefined && looksLikeIban(account);
  return element(
    'ram:SpecifiedTradeSettlementPaymentMeans',
    leaf('ram:TypeCode', code?.content.trim() || undefined),
    leaf('ram:Information', code && attribute(code, 'name')),
    element(
      'ram:ApplicableTradeSettlementFinancialCard',
      leaf('ram:ID', text(means, 'cac:CardAccount/cbc:PrimaryAccountNumberID')),
      leaf('ram:CardholderName', text(means, 'cac:CardAccount/cbc:HolderName')),
    ),
    element('ram:PayerPartyDebtorFinancialAccount', leaf('ram:IBANID', text(means, 'cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID'))),
    element(
      'ram:PayeePartyCreditorFinancialAccount',
      leaf('ram:IBANID', iban ? account : undefined),
      leaf('ram:AccountName', text(means, 'cac:PayeeFinancialAccount/cbc:Name')),
      leaf('ram:ProprietaryID', iban ? undefined : account),
    ),
    element('ram:PayeeSpecifiedCreditorFinancialInstitution', leaf('ram:BICID', text(means, 'cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID'))),
  );
}

function looksLikeIban(account: string): boolean {
  return /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(account.replace(/\s/g, ''));
}

/** BG-20/BG-21 (document level, with their VAT category) or BG-27/BG-28 (line level, without). */
function tradeAllowanceCharge(allowanceCharge: XmlElement, withTaxCategory: boolean): XmlOut | undefined {
  return element(
    'ram:SpecifiedTradeAllowanceCharge',
    element('ram:ChargeIndicator', leaf('udt:Indicator', indicator(text(allowanceCharge, 'cbc:ChargeIndicator')))),
    leaf('ram:CalculationPercent', text(allowanceCharge, 'cbc:MultiplierFactorNumeric')),
    leaf('ram:BasisAmount', text(allowanceCharge, 'cbc:BaseAmount')),
    leaf('ram:ActualAmount', text(allowanceCharge, 'cbc:Amount')),
    leaf('ram:ReasonCode', text(allowanceCharge, 'cbc:AllowanceChargeReasonCode')),
    leaf('ram:Reason', text(allowanceCharge, 'cbc:AllowanceChargeReason')),
    withTaxCategory ? vatCategory('ram:CategoryTradeTax', one(allowanceCharge, 'cac:TaxCategory')) : undefined,
  );
}

/** A VAT category and rate: of an allowance or charge (cac:TaxCategory) or of an item (cac:ClassifiedTaxCategory). */
function vatCategory(name: string, category: XmlElement | undefined): XmlOut | undefined {
  if (category === undefined) return undefined;
  return element(name, leaf('ram:TypeCode', 'VAT'), leaf('ram:CategoryCode', text(category, 'cbc:ID')), leaf('ram:RateApplicablePercent', text(category, 'cbc:Percent')));
}

// ---- parties -------------------------------------------------------------------------------------------------

/**
 * A party (seller, buyer, payee, tax representative): identifiers (with a scheme as GlobalID), name, legal
 * registration, contact, address, electronic address and tax registrations. The SEPA creditor identifier is not
 * the party's: it is BT-90 of the settlement.
 */
function tradeParty(name: string, party: XmlElement | undefined): XmlOut | undefined {
  if (party === undefined) return undefined;
  const registrationName = text(party, 'cac:PartyLegalEntity/cbc:RegistrationName');
  const tradingName = text(party, 'cac:PartyName/cbc:Name');
  const identifiers = all(party, 'cac:PartyIdentification/cbc:ID').filter((id) => attribute(id, 'schemeID') !== SEPA);
  const legalId = one(party, 'cac:PartyLegalEntity/cbc:CompanyID');
  const endpoint = one(party, 'cbc:EndpointID');
  const contact = one(party, 'cac:Contact');
  return element(
    name,
    identifiers.filter((id) => attribute(id, 'schemeID') === undefined).map((id) => leaf('ram:ID', id.content.trim() || undefined)),
    identifiers.filter((id) => attribute(id, 'schemeID') !== undefined).map((id) => identifier(id)),
    leaf('ram:Name', registrationName ?? tradingName),
    leaf('ram:Description', text(party, 'cac:PartyLegalEntity/cbc:CompanyLegalForm')),
    element(
      'ram:SpecifiedLegalOrganization',
      legalId === undefined ? undefined : leaf('ram:ID', legalId.content.trim() || undefined, { schemeID: attribute(legalId, 'schemeID') }),
      leaf('ram:TradingBusinessName', registrationName === undefined ? undefined : tradingName),
    ),
    element(
      'ram:DefinedTradeContact',
      leaf('ram:PersonName', text(contact, 'cbc:Name')),
      element('ram:TelephoneUniversalCommunication', leaf('ram:CompleteNumber', text(contact, 'cbc:Telephone'))),
      element('ram:EmailURIUniversalCommunication', leaf('ram:URIID', text(contact, 'cbc:ElectronicMail'))),
    ),
    address(one(party, 'cac:PostalAddress')),
    endpoint === undefined
      ? undefined
      : element('ram:URIUniversalCommunication', leaf('ram:URIID', endpoint.content.trim() || undefined, { schemeID: attribute(endpoint, 'schemeID') })),
    all(party, 'cac:PartyTaxScheme').map((scheme) =>
      element(
        'ram:SpecifiedTaxRegistration',
        // BT-31/BT-48/BT-63 are VAT identifiers (VA); BT-32, the seller's other tax registration, is FC.
        leaf('ram:ID', text(scheme, 'cbc:CompanyID'), { schemeID: text(scheme, 'cac:TaxScheme/cbc:ID') === 'VAT' ? 'VA' : 'FC' }),
      ),
    ),
  );
}

/** An identifier with a scheme is a global one (ISO/IEC 6523); one without is the party's own. */
function identifier(id: XmlElement | undefined): XmlOut | undefined {
  if (id === undefined) return undefined;
  const value = id.content.trim() || undefined;
  const scheme = attribute(id, 'schemeID');
  return scheme === undefined ? leaf('ram:ID', value) : leaf('ram:GlobalID', value, { schemeID: scheme });
}

function address(postal: XmlElement | undefined): XmlOut | undefined {
  if (postal === undefined) return undefined;
  return element(
    'ram:PostalTradeAddress',
    leaf('ram:PostcodeCode', text(postal, 'cbc:PostalZone')),
    leaf('ram:LineOne', text(postal, 'cbc:StreetName')),
    leaf('ram:LineTwo', text(postal, 'cbc:AdditionalStreetName')),
    leaf('ram:LineThree', text(postal, 'cac:AddressLine/cbc:Line')),
    leaf('ram:CityName', text(postal, 'cbc:CityName')),
    leaf('ram:CountryID', text(postal, 'cac:Country/cbc:IdentificationCode')),
    leaf('ram:CountrySubDivisionName', text(postal, 'cbc:CountrySubentity')),
  );
}

// ---- lines ---------------------------------------------------------------------------------------------------

/** BG-25 with its period (BG-26), allowances and charges (BG-27/28), price (BG-29), VAT (BG-30) and item (BG-31). */
function lineItem(line: XmlElement, kind: UblDocumentKind): XmlOut {
  const item = one(line, 'cac:Item');
  const price = one(line, 'cac:Price');
  const priceDiscount = one(price, "cac:AllowanceCharge[normalize-space(cbc:ChargeIndicator) = 'false']");
  const baseQuantity = one(price, 'cbc:BaseQuantity');
  const basisQuantity = baseQuantity === undefined ? undefined : leaf('ram:BasisQuantity', baseQuantity.content.trim() || undefined, { unitCode: attribute(baseQuantity, 'unitCode') });
  const grossPrice = text(priceDiscount, 'cbc:BaseAmount');
  const quantity = one(line, kind.quantity);
  const originCountry = text(item, 'cac:OriginCountry/cbc:IdentificationCode');
  return requiredElement(
    'ram:IncludedSupplyChainTradeLineItem',
    requiredElement(
      'ram:AssociatedDocumentLineDocument',
      leaf('ram:LineID', text(line, 'cbc:ID')),
      // BT-127 is one text; UBL allows several notes on a line.
      element('ram:IncludedNote', leaf('ram:Content', joined(all(line, 'cbc:Note')))),
    ),
    element(
      'ram:SpecifiedTradeProduct',
      identifier(one(item, 'cac:StandardItemIdentification/cbc:ID')),
      leaf('ram:SellerAssignedID', text(item, 'cac:SellersItemIdentification/cbc:ID')),
      leaf('ram:BuyerAssignedID', text(item, 'cac:BuyersItemIdentification/cbc:ID')),
      leaf('ram:Name', text(item, 'cbc:Name')),
      leaf('ram:Description', text(item, 'cbc:Description')),
      all(item, 'cac:AdditionalItemProperty').map((property) =>
        element('ram:ApplicableProductCharacteristic', leaf('ram:Description', text(property, 'cbc:Name')), leaf('ram:Value', text(property, 'cbc:Value'))),
      ),
      all(item, 'cac:CommodityClassification/cbc:ItemClassificationCode').map((code) =>
        element(
          'ram:DesignatedProductClassification',
          leaf('ram:ClassCode', code.content.trim() || undefined, { listID: attribute(code, 'listID'), listVersionID: attribute(code, 'listVersionID') }),
        ),
      ),
      originCountry === undefined ? undefined : element('ram:OriginTradeCountry', leaf('ram:ID', originCountry)),
    ),
    requiredElement(
      'ram:SpecifiedLineTradeAgreement',
      element('ram:BuyerOrderReferencedDocument', leaf('ram:LineID', text(line, 'cac:OrderLineReference/cbc:LineID'))),
      grossPrice === undefined
        ? undefined
        : element(
          'ram:GrossPriceProductTradePrice',
          leaf('ram:ChargeAmount', grossPrice),
          basisQuantity,
          element(
            'ram:AppliedTradeAllowanceCharge',
            element('ram:ChargeIndicator', leaf('udt:Indicator', 'false')),
            leaf('ram:ActualAmount', text(priceDiscount, 'cbc:Amount')),
          ),
        ),
      element('ram:NetPriceProductTradePrice', leaf('ram:ChargeAmount', text(price, 'cbc:PriceAmount')), basisQuantity),
    ),
    requiredElement(
      'ram:SpecifiedLineTradeDelivery',
      quantity === undefined ? undefined : leaf('ram:BilledQuantity', quantity.content.trim() || undefined, { unitCode: attribute(quantity, 'unitCode') }),
    ),
    requiredElement(
      'ram:SpecifiedLineTradeSettlement',
      vatCategory('ram:ApplicableTradeTax', one(item, 'cac:ClassifiedTaxCategory')),
      period('ram:BillingSpecifiedPeriod', one(line, 'cac:InvoicePeriod')),
      all(line, 'cac:AllowanceCharge').map((allowanceCharge) => tradeAllowanceCharge(allowanceCharge, false)),
      element('ram:SpecifiedTradeSettlementLineMonetarySummation', leaf('ram:LineTotalAmount', text(line, 'cbc:LineExtensionAmount'))),
      all(line, 'cac:DocumentReference').map(objectIdentifier),
      element('ram:ReceivableSpecifiedTradeAccountingAccount', leaf('ram:ID', text(line, 'cbc:AccountingCost'))),
    ),
  );
}

// ---- values --------------------------------------------------------------------------------------------------

function period(name: string, invoicePeriod: XmlElement | undefined): XmlOut | undefined {
  return element(name, dateTime('ram:StartDateTime', text(invoicePeriod, 'cbc:StartDate')), dateTime('ram:EndDateTime', text(invoicePeriod, 'cbc:EndDate')));
}

/** An xs:boolean as the words the EN 16931 CII rules compare with. */
function indicator(value: string | undefined): string | undefined {
  if (value === '1') return 'true';
  if (value === '0') return 'false';
  return value;
}

/** The texts of several elements as one, a line each; undefined when all are blank. */
function joined(elements: readonly XmlElement[]): string | undefined {
  const texts = elements.map((each) => each.content.trim()).filter((value) => value !== '');
  return texts.length === 0 ? undefined : texts.join('\n');
}

function dateTime(name: string, date: string | undefined): XmlOut | undefined {
  return date === undefined ? undefined : element(name, leaf('udt:DateTimeString', date102(date), { format: '102' }));
}

/** An xs:date (time zone allowed) as CII's format 102, YYYYMMDD. */
function date102(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$/.exec(date);
  if (!match) throw new TransformError('TRANSFORM_INPUT_INVALID', `"${date}" is not a date (YYYY-MM-DD)`);
  return `${match[1]}${match[2]}${match[3]}`;
}

// ---- reading UBL ---------------------------------------------------------------------------------------------

const UBL_PREFIXES = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

// The mapping uses a fixed set of paths: each is compiled once and kept.
const compiled = new Map<string, XmlXPath>();
function xpath(path: string): XmlXPath {
  let expression = compiled.get(path);
  if (expression === undefined) {
    expression = compileXPath(path, UBL_PREFIXES);
    compiled.set(path, expression);
  }
  return expression;
}

/** The trimmed text at `path`, or undefined when there is none or it is blank. */
function text(context: XmlElement | undefined, path: string): string | undefined {
  if (context === undefined) return undefined;
  const value = textAt(context, xpath(path))?.trim();
  return value === '' ? undefined : value;
}

function one(context: XmlElement | undefined, path: string): XmlElement | undefined {
  return context === undefined ? undefined : elementAt(context, xpath(path));
}

function all(context: XmlElement | undefined, path: string): XmlElement[] {
  return context === undefined ? [] : elementsAt(context, xpath(path));
}

function attribute(element: XmlElement, name: string): string | undefined {
  const value = attributeOf(element, name)?.trim();
  return value === '' ? undefined : value;
}
