/** What Arelle reported about a filing, one message of its log. */
export interface ArelleFinding {
  /** Arelle's message code: the XBRL specification's (xbrl.4.7.2:contextPeriodType), a calculation's, a formula's. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** The line in the filing, where Arelle knows it. */
  readonly line?: number;
}

/** Arelle could not judge the filing: it is away, crashed, timed out, or failed inside. */
export class ArelleUnavailableError extends Error {
  override readonly name = 'ArelleUnavailableError';
}

// Calculation inconsistencies (`inconsistency`) and unsatisfied formula assertions make a filing invalid as errors do.
const ERROR_LEVELS = new Set(['error', 'error-semantic', 'inconsistency', 'assertion-not-satisfied', 'critical', 'fatal']);
const WARNING_LEVELS = new Set(['warning', 'warning-semantic']);

interface LogEntry {
  readonly code?: unknown;
  readonly level?: unknown;
  readonly message?: { readonly text?: unknown };
  readonly refs?: readonly { readonly href?: unknown; readonly sourceLine?: unknown }[];
}

/**
 * The errors and warnings of Arelle's JSON log (`media=json`). A failure of Arelle itself (a Python exception while
 * loading or validating, a taxonomy package it cannot open) is not a verdict on the filing: ArelleUnavailableError.
 */
export function findingsOfArelleLog(json: string, filingName: string): ArelleFinding[] {
  let entries: unknown;
  try {
    entries = (JSON.parse(json) as { log?: unknown }).log;
  } catch {
    throw new ArelleUnavailableError(`Arelle answered with no JSON log: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(entries)) throw new ArelleUnavailableError('Arelle answered with no log');
  const findings: ArelleFinding[] = [];
  for (const entry of entries as LogEntry[]) {
    const code = typeof entry.code === 'string' ? entry.code : '';
    const level = typeof entry.level === 'string' ? entry.level.toLowerCase() : '';
    const message = plainText(typeof entry.message?.text === 'string' ? entry.message.text : '', code);
    if (isArelleFailure(code)) throw new ArelleUnavailableError(`Arelle failed (${code}): ${message.slice(0, 500)}`);
    const severity = ERROR_LEVELS.has(level) ? 'error' : WARNING_LEVELS.has(level) ? 'warning' : undefined;
    if (!severity) continue;
    // An entry refers to the filing and to taxonomy files (an assertion's linkbase): the line is the filing's.
    const line = entry.refs
      ?.filter((ref) => typeof ref.href === 'string' && ref.href.split('#')[0]!.endsWith(filingName))
      .map((ref) => Number(ref.sourceLine))
      .find((value) => Number.isInteger(value) && value > 0);
    findings.push({ code, severity, message, ...(line ? { line } : {}) });
  }
  return findings;
}

function isArelleFailure(code: string): boolean {
  return code === 'Exception' || code.startsWith('exception:') || code === 'arelle:packageLoadingError';
}

/** Arelle's text on one line, without what is said apart: the time stamp and the "[code]" before it. */
function plainText(text: string, code: string): string {
  return text
    .replace(/^\d{4}-\d\d-\d\d [\d:,.]+ /, '')
    .replace(`[${code}] `, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Arelle's findings as statusdetails: one line each, code first, at most 50, each at most 500 characters. */
export function describeArelleFindings(findings: readonly ArelleFinding[], limit = 50): string {
  const lines = findings.slice(0, limit).map((finding) => {
    const where = finding.line ? ` (regel ${finding.line})` : '';
    const text = finding.message.length > 500 ? `${finding.message.slice(0, 499)}…` : finding.message;
    return `${finding.code}${where}: ${text}`;
  });
  if (findings.length > limit) lines.push(`… en nog ${findings.length - limit} meldingen van Arelle`);
  return lines.join('\n');
}
