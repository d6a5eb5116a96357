// The part of SaxonJS 2 (proprietary, no published types) that Poort uses.
declare module 'saxon-js' {
  interface SaxonNode {
    getAttribute(name: string): string | null;
    readonly textContent: string | null;
  }
  interface TransformOptions {
    readonly stylesheetInternal: unknown;
    readonly sourceText: string;
    readonly destination: 'document';
  }
  const SaxonJS: {
    transform(options: TransformOptions, mode: 'sync'): { principalResult: unknown };
    XPath: {
      evaluate(xpath: string, context: unknown, options: { namespaceContext: Record<string, string>; resultForm: 'array' }): SaxonNode[];
    };
  };
  export default SaxonJS;
}
