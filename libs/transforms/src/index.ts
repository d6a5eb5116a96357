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
