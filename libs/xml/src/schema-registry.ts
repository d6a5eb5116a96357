import fs from 'node:fs';
import path from 'node:path';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { XmlError } from './errors.js';
import { compileSchema, type CompiledSchema, type SchemaSource, type ValidationResult } from './schema.js';

/**
 * Named schemas, each compiled once on first use and kept until {@link SchemaRegistry.close}.
 */
export class SchemaRegistry implements Disposable {
  private readonly sources = new Map<string, SchemaSource>();
  private readonly compiled = new Map<string, CompiledSchema>();

  constructor(sources: Record<string, SchemaSource> = {}) {
    for (const [key, source] of Object.entries(sources)) this.register(key, source);
  }

  /** Adds or replaces a schema; a replaced schema that was already compiled is closed. */
  register(key: string, source: SchemaSource): this {
    this.compiled.get(key)?.close();
    this.compiled.delete(key);
    this.sources.set(key, { ...source });
    return this;
  }

  has(key: string): boolean {
    return this.sources.has(key);
  }

  keys(): string[] {
    return [...this.sources.keys()];
  }

  /** The compiled schema for `key`, compiling it on first use. */
  get(key: string): CompiledSchema {
    const cached = this.compiled.get(key);
    if (cached !== undefined) return cached;
    const source = this.sources.get(key);
    if (source === undefined) {
      throw new XmlError('XML_SCHEMA_UNKNOWN', `No schema registered under "${key}" (known: ${this.keys().join(', ') || 'none'})`);
    }
    const { xsdPath, ...options } = source;
    const schema = compileSchema(xsdPath, options);
    this.compiled.set(key, schema);
    return schema;
  }

  /** Compiles every registered schema now, so that a broken schema fails at startup. */
  compileAll(): void {
    for (const key of this.sources.keys()) this.get(key);
  }

  validate(key: string, target: XmlDocument | XmlElement): ValidationResult {
    return this.get(key).validate(target);
  }

  close(): void {
    for (const schema of this.compiled.values()) schema.close();
    this.compiled.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

interface CatalogEntry {
  xsd: string;
  root?: string;
  rootElement?: string;
}

/**
 * Reads a schema catalog (such as `config/schemas/catalog.json`): `{ "<key>": { "xsd": "...",
 * "root"?: "...", "rootElement"?: "{ns}name" } }`, paths relative to the catalog file.
 */
export function loadSchemaCatalog(catalogPath: string): Record<string, SchemaSource> {
  const base = path.dirname(path.resolve(catalogPath));
  const parsed: unknown = JSON.parse(fs.readFileSync(catalogPath, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new XmlError('XML_SCHEMA_INVALID', `Schema catalog ${catalogPath} must be a JSON object`);
  }
  const sources: Record<string, SchemaSource> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!isCatalogEntry(value)) {
      throw new XmlError('XML_SCHEMA_INVALID', `Schema catalog ${catalogPath}: entry "${key}" needs a string "xsd" and optional string "root" and "rootElement"`);
    }
    const source: SchemaSource = { xsdPath: path.resolve(base, value.xsd) };
    if (value.root !== undefined) source.root = path.resolve(base, value.root);
    if (value.rootElement !== undefined) source.rootElement = value.rootElement;
    sources[key] = source;
  }
  return sources;
}

function isCatalogEntry(value: unknown): value is CatalogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['xsd'] === 'string'
    && (entry['root'] === undefined || typeof entry['root'] === 'string')
    && (entry['rootElement'] === undefined || typeof entry['rootElement'] === 'string');
}
