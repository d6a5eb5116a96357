import type { Transformation } from './transformation.js';
import { ublInvoiceToJson } from './ubl-invoice-summary.js';
import { ublInvoiceToCii } from './ubl-invoice-to-cii.js';

/** Names of the available transformations. Pass-through ("none") is the caller's business. */
export type TransformationName = 'ubl-invoice-to-json' | 'ubl-invoice-to-cii';

export const transformations: Readonly<Record<TransformationName, Transformation>> = Object.freeze({
  'ubl-invoice-to-json': ublInvoiceToJson,
  'ubl-invoice-to-cii': ublInvoiceToCii,
});

export function isTransformationName(name: string): name is TransformationName {
  return Object.hasOwn(transformations, name);
}
