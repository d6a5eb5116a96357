import type { MessageCatalog } from '@poort/message-types';
import { SchemaRegistry, isXmlError, withXmlDocument, type XmlDiagnostic } from '@poort/xml';

export type ValidationOutcome = { readonly valid: true } | { readonly valid: false; readonly findings: readonly XmlDiagnostic[] };

/**
 * Well-formedness and XSD validation per berichtsoort. Every schema is compiled at start-up, once: a broken
 * schema stops the service before it takes any message, and validation never pays for compilation.
 */
export class SchemaValidator implements Disposable {
  private readonly registry: SchemaRegistry;

  constructor(catalog: MessageCatalog) {
    this.registry = new SchemaRegistry();
    for (const berichtsoort of catalog.berichtsoorten) {
      const type = catalog.get(berichtsoort);
      const { xsdPath, root } = catalog.schema(type);
      this.registry.register(berichtsoort, {
        xsdPath,
        root,
        ...(type.validation.rootElement ? { rootElement: type.validation.rootElement } : {}),
      });
      this.registry.get(berichtsoort);
    }
  }

  validate(berichtsoort: string, content: Uint8Array): ValidationOutcome {
    try {
      const result = withXmlDocument(content, (doc) => this.registry.get(berichtsoort).validate(doc));
      return result.valid ? { valid: true } : { valid: false, findings: result.errors };
    } catch (error) {
      // Malformed XML, a DOCTYPE, a document over the limits: the content is invalid, not the service broken.
      if (isXmlError(error) && !error.code.startsWith('XML_SCHEMA') && error.code !== 'XML_INTERNAL') {
        return { valid: false, findings: error.details?.length ? error.details : [{ message: error.message, line: 0, column: 0 }] };
      }
      throw error;
    }
  }

  [Symbol.dispose](): void {
    this.registry.close();
  }
}

/** Validator findings as Digipoort's statusdetails: one line each, with the position. */
export function describeFindings(findings: readonly XmlDiagnostic[]): string {
  return findings
    .slice(0, 50)
    .map((finding) => (finding.line > 0 ? `regel ${finding.line}, kolom ${finding.column}: ${finding.message}` : finding.message))
    .join('\n');
}
