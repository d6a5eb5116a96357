import fs from 'node:fs';
import path from 'node:path';
import { ParseOption, XmlDocument, XmlElement, XmlLibError, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { toDiagnostic, XmlError, type XmlDiagnostic } from './errors.js';
import { isInside, withSchemaFileAccess, type SchemaLoadProblem } from './schema-files.js';

export type ValidationResult = { valid: true } | { valid: false; errors: XmlDiagnostic[] };

export interface SchemaSource {
  /** The entry XSD. */
  xsdPath: string;
  /**
   * Directory whose files the XSD may import or include (default: the entry XSD's directory). Nothing
   * outside it is read, and nothing is fetched over the network.
   */
  root?: string;
  /**
   * Expected document element in Clark notation, e.g. `{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice`,
   * or the elements one of which it must be. XSD alone accepts any global element of the schema set as the document element.
   */
  rootElement?: string | readonly string[];
}

/** A compiled XSD. Holds wasm memory until {@link CompiledSchema.close}. */
export interface CompiledSchema extends Disposable {
  readonly source: Readonly<SchemaSource>;
  /** Validates a document (or the subtree of one element). Invalid documents are a result, not an error. */
  validate(target: XmlDocument | XmlElement): ValidationResult;
  close(): void;
}

/**
 * Compiles an XSD with its imports and includes, resolved from disk inside `root`.
 *
 * @throws {XmlError} XML_SCHEMA_LOAD_FORBIDDEN when the schema refers to a URL or a file outside `root`;
 *   XML_SCHEMA_INVALID when a file is missing, not well-formed, or not a valid XSD.
 */
export function compileSchema(xsdPath: string, options: Omit<SchemaSource, 'xsdPath'> = {}): CompiledSchema {
  const entry = realFile(xsdPath);
  const root = realDirectory(options.root ?? path.dirname(entry));
  if (!isInside(entry, root)) {
    throw new XmlError('XML_SCHEMA_LOAD_FORBIDDEN', `Schema ${xsdPath} is outside its root directory ${root}`);
  }
  const source: SchemaSource = { ...options, xsdPath: entry, root };

  let xsd: XmlDocument;
  try {
    xsd = XmlDocument.fromBuffer(fs.readFileSync(entry), {
      url: entry,
      option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE,
    });
  } catch (error) {
    throw schemaInvalid(`Schema ${entry} is not well-formed XML`, error);
  }
  try {
    const { result, problems } = withSchemaFileAccess(root, () => {
      try {
        return XsdValidator.fromDoc(xsd);
      } catch (error) {
        return error;
      }
    });
    if (problems.length > 0) {
      if (result instanceof XsdValidator) result.dispose();
      throw loadFailure(entry, problems);
    }
    if (!(result instanceof XsdValidator)) throw schemaInvalid(`Schema ${entry} does not compile`, result);
    return new XsdSchema(source, result);
  } finally {
    xsd.dispose();
  }
}

class XsdSchema implements CompiledSchema {
  readonly source: Readonly<SchemaSource>;
  private validator: XsdValidator | undefined;
  private readonly expectedRoots: readonly { namespace: string; name: string }[];

  constructor(source: SchemaSource, validator: XsdValidator) {
    this.source = Object.freeze(source);
    this.validator = validator;
    this.expectedRoots = (source.rootElement === undefined ? [] : [source.rootElement].flat()).map(parseClark);
  }

  validate(target: XmlDocument | XmlElement): ValidationResult {
    if (this.validator === undefined) {
      throw new XmlError('XML_SCHEMA_CLOSED', `Schema ${this.source.xsdPath} has been closed`);
    }
    if (this.expectedRoots.length > 0) {
      const element = target instanceof XmlDocument ? target.root : target;
      if (!this.expectedRoots.some(({ namespace, name }) => element.name === name && element.namespaceUri === namespace)) {
        const expected = this.expectedRoots.map(({ namespace, name }) => `{${namespace}}${name}`).join(' or ');
        return {
          valid: false,
          errors: [{
            message: `Element '{${element.namespaceUri}}${element.name}': expected the document element ${expected}.`,
            line: element.line,
            column: 0,
          }],
        };
      }
    }
    try {
      if (target instanceof XmlDocument) this.validator.validate(target);
      else this.validator.validate(target);
      return { valid: true };
    } catch (error) {
      if (error instanceof XmlValidateError) {
        const errors = error.details.filter((d) => d.level >= 2).map(toDiagnostic);
        return { valid: false, errors: errors.length > 0 ? errors : [{ message: error.message.trim(), line: 0, column: 0 }] };
      }
      throw new XmlError('XML_INTERNAL', `libxml2 could not validate against ${this.source.xsdPath}`, { cause: error });
    }
  }

  close(): void {
    this.validator?.dispose();
    this.validator = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function parseClark(name: string): { namespace: string; name: string } {
  const match = /^(?:\{([^}]*)\})?([^{}]+)$/.exec(name);
  if (match === null) throw new RangeError(`rootElement must be in Clark notation {namespace}name, got ${name}`);
  return { namespace: match[1] ?? '', name: match[2] as string };
}

function realFile(file: string): string {
  try {
    return fs.realpathSync.native(path.resolve(file));
  } catch (error) {
    throw schemaInvalid(`Schema ${file} cannot be read`, error);
  }
}

function realDirectory(dir: string): string {
  try {
    return fs.realpathSync.native(path.resolve(dir));
  } catch (error) {
    throw schemaInvalid(`Schema root directory ${dir} cannot be read`, error);
  }
}

function loadFailure(entry: string, problems: SchemaLoadProblem[]): XmlError {
  const forbidden = problems.some((p) => p.kind === 'forbidden');
  const details = problems.map((p) => ({ message: `${p.location}: ${p.reason}`, line: 0, column: 0 }));
  return new XmlError(
    forbidden ? 'XML_SCHEMA_LOAD_FORBIDDEN' : 'XML_SCHEMA_INVALID',
    `Schema ${entry} refers to files that cannot be loaded: ${details.map((d) => d.message).join('; ')}`,
    { details },
  );
}

function schemaInvalid(message: string, cause: unknown): XmlError {
  const details = cause instanceof XmlLibError ? cause.details.map(toDiagnostic) : [];
  const reason = details.length > 0 ? details.map((d) => d.message).join('; ')
    : cause instanceof Error ? cause.message : String(cause);
  return new XmlError('XML_SCHEMA_INVALID', `${message}: ${reason}`, { details, cause });
}
