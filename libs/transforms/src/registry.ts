import type { Transformation } from './transformation.js';
import { ublInvoiceToJson } from './ubl-invoice-summary.js';

/** Names of the available transformations. Pass-through ("none") is the caller's business. */
export type TransformationName = 'ubl-invoice-to-json';

export const transformations: Readonly<Record<TransformationName, Transformation>> = Object.freeze({
  'ubl-invoice-to-json': ublInvoiceToJson,
});

export function isTransformationName(name: string): name is TransformationName {
  return Object.hasOwn(transformations, name);
}
