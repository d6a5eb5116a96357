export { TransformError, type Transformation, type TransformErrorCode, type TransformResult } from './transformation.js';
export { transformations, isTransformationName, type TransformationName } from './registry.js';
export {
  summarizeUblInvoice,
  ublInvoiceToJson,
  UBL_INVOICE_NAMESPACE,
  type InvoiceSummary,
  type InvoiceSummaryLine,
  type InvoiceSummaryParty,
} from './ubl-invoice-summary.js';
export { ublInvoiceToCii, ublToCii, CII_NAMESPACES, UBL_CREDIT_NOTE_NAMESPACE } from './ubl-invoice-to-cii.js';
