import type { RuleFinding } from '@poort/standards';

/** The most findings statusdetails list; the rest are counted. */
export const MAX_LISTED_FINDINGS = 50;
/** statusdetails stay readable in a portal and a SOAP response: at most this many characters. */
export const MAX_DETAILS_CHARS = 8_000;
const MAX_TEXT_CHARS = 400;

const PREFIXES: Readonly<Record<string, string>> = {
  'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac:',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc:',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext:',
};

/**
 * Failed rules as Digipoort's statusdetails: one line each, `[id] location: text`, the location as a short XPath
 * (`/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount`), at most {@link MAX_LISTED_FINDINGS} lines and
 * {@link MAX_DETAILS_CHARS} characters, with a last line that says how many were left out.
 */
export function describeRuleFindings(findings: readonly RuleFinding[]): string {
  const lines: string[] = [];
  let length = 0;
  for (const finding of findings) {
    const line = `[${finding.id || 'zonder id'}] ${shortLocation(finding.location)}: ${clip(finding.text, MAX_TEXT_CHARS)}`;
    if (lines.length === MAX_LISTED_FINDINGS || length + line.length + 1 > MAX_DETAILS_CHARS - 60) break;
    lines.push(line);
    length += line.length + 1;
  }
  const left = findings.length - lines.length;
  if (left > 0) lines.push(`… en nog ${left} ${left === 1 ? 'bevinding' : 'bevindingen'}`);
  return lines.join('\n');
}

/**
 * SVRL locations name every step by namespace-uri() and position (`/*:Invoice[namespace-uri()='…'][1]/…`); this
 * gives the UBL prefixes instead and drops the position where it is the first.
 */
export function shortLocation(location: string): string {
  return location.replace(/\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]\[(\d+)\]/g, (_, name: string, namespace: string, position: string) =>
    `${PREFIXES[namespace] ?? ''}${name}${position === '1' ? '' : `[${position}]`}`,
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
