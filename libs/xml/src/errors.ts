/** Machine-readable reason of an {@link XmlError}. */
export type XmlErrorCode =
  | 'XML_MALFORMED'
  | 'XML_DOCTYPE_FORBIDDEN'
  | 'XML_ENCODING_UNSUPPORTED'
  | 'XML_TOO_LARGE'
  | 'XML_TOO_DEEP'
  | 'XML_TOO_MANY_ATTRIBUTES'
  | 'XML_TOO_MANY_NAMESPACES'
  /** Not the document element the message type expects (the streaming check; the schema check reports it as invalid). */
  | 'XML_ROOT_UNEXPECTED'
  | 'XML_SCHEMA_INVALID'
  | 'XML_SCHEMA_LOAD_FORBIDDEN'
  | 'XML_SCHEMA_UNKNOWN'
  | 'XML_SCHEMA_CLOSED'
  | 'XML_INTERNAL';

/** One message from libxml2 (or from Poort's own checks) with its position; 0 means "not known". */
export interface XmlDiagnostic {
  message: string;
  line: number;
  column: number;
  /** XPath-like location of the offending node, when libxml2 reports one (e.g. `/*\/cbc:IssueDate`). */
  path?: string;
}

export interface XmlErrorOptions {
  line?: number;
  column?: number;
  details?: readonly XmlDiagnostic[];
  cause?: unknown;
}

/** The only error type thrown by `@poort/xml`. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly code: XmlErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly details: readonly XmlDiagnostic[];

  constructor(code: XmlErrorCode, message: string, options: XmlErrorOptions = {}) {
    super(withPosition(message, options.line, options.column), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.line = options.line;
    this.column = options.column;
    this.details = options.details ?? [];
  }
}

export function isXmlError(value: unknown, code?: XmlErrorCode): value is XmlError {
  return value instanceof XmlError && (code === undefined || value.code === code);
}

function withPosition(message: string, line: number | undefined, column: number | undefined): string {
  if (line === undefined || line <= 0) return message;
  return column !== undefined && column > 0 ? `${message} (line ${line}, column ${column})` : `${message} (line ${line})`;
}

interface LibxmlDetail {
  message: string;
  line: number;
  col: number;
  xpath?: string;
}

/** libxml2 messages end in a newline and may span lines; keep them on one line. */
export function toDiagnostic(detail: LibxmlDetail): XmlDiagnostic {
  const diagnostic: XmlDiagnostic = {
    message: detail.message.trim().replace(/\s*\n\s*/g, ' '),
    line: detail.line,
    column: detail.col,
  };
  if (detail.xpath !== undefined) diagnostic.path = detail.xpath;
  return diagnostic;
}
