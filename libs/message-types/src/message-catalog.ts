import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

import { resolveRuleSet, standardsDir, standardsFile, type RuleSet } from '@poort/standards';
import { parse } from 'yaml';
import { z } from 'zod';

import { MessageType, Recipient, RecipientsFile } from './schema.js';

export class CatalogError extends Error {
  readonly code = 'CONFIG_MESSAGE_TYPES';
}

/** A message type's `validation.schema` that names an official schema in the standards directory. */
const STANDARD_PREFIX = 'standard:';

/** Where a message type's XSD is, and the directory its imports may read from. */
export interface SchemaLocation {
  readonly xsdPath: string;
  readonly root: string;
}

/**
 * The declarative configuration of what Poort carries: message types (who may send them, their schema, their
 * transformation and routes) and recipients. Loaded and cross-checked once at boot; a bad file stops the service.
 *
 * Layout: <dir>/recipients.yaml, <dir>/message-types/*.yaml, schemas referenced relative to <dir> or, as
 * `standard:<file>`, in the standards directory (@poort/standards), like the rule sets a type names.
 * String values may use ${VAR} or ${VAR:-default} to take deployment-specific values (endpoints) from the environment.
 */
export class MessageCatalog {
  private constructor(
    readonly dir: string,
    private readonly types: ReadonlyMap<string, MessageType>,
    private readonly recipientsById: ReadonlyMap<string, Recipient>,
    private readonly schemas: ReadonlyMap<string, SchemaLocation>,
    private readonly rules: ReadonlyMap<string, readonly RuleSet[]>,
  ) {}

  static load(dir: string, env: NodeJS.ProcessEnv = process.env): MessageCatalog {
    const root = resolve(dir);
    const recipients = readYaml(join(root, 'recipients.yaml'), RecipientsFile, env).recipients;
    const recipientsById = new Map<string, Recipient>();
    for (const recipient of recipients) {
      if (recipientsById.has(recipient.id)) throw new CatalogError(`recipients.yaml: recipient ${recipient.id} is defined twice`);
      recipientsById.set(recipient.id, withResolvedFiles(root, recipient));
    }
    const typesDir = join(root, 'message-types');
    const files = existsSync(typesDir) ? readdirSync(typesDir).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
    if (files.length === 0) throw new CatalogError(`${typesDir}: no message types configured`);
    const types = new Map<string, MessageType>();
    const schemas = new Map<string, SchemaLocation>();
    const rules = new Map<string, readonly RuleSet[]>();
    for (const file of files) {
      const type = readYaml(join(typesDir, file), MessageType, env);
      const where = `message-types/${file}`;
      if (types.has(type.berichtsoort)) throw new CatalogError(`${where}: berichtsoort ${type.berichtsoort} is configured twice`);
      schemas.set(type.berichtsoort, locateSchema(root, type.validation.schema, where, env));
      rules.set(type.berichtsoort, type.validation.rules.map((name) => checkedRuleSet(name, where, env)));
      for (const taxonomyPackage of type.validation.xbrl?.taxonomyPackages ?? []) {
        if (!existsSync(resolve(root, taxonomyPackage))) {
          throw new CatalogError(`${where}: taxonomy package ${taxonomyPackage} does not exist (relative to ${root}, or absolute)`);
        }
      }
      for (const route of type.routing.routes) {
        if (!recipientsById.has(route.recipient)) throw new CatalogError(`${where}: route to unknown recipient ${route.recipient}`);
        if (route.format === 'transformed' && type.transformation === 'none') {
          throw new CatalogError(`${where}: recipient ${route.recipient} wants the transformed format but no transformation is configured`);
        }
      }
      types.set(type.berichtsoort, type);
    }
    return new MessageCatalog(root, types, recipientsById, schemas, rules);
  }

  get berichtsoorten(): string[] {
    return [...this.types.keys()];
  }

  find(berichtsoort: string): MessageType | undefined {
    return this.types.get(berichtsoort);
  }

  /** For stages after ingress: the type was known when the message was accepted. */
  get(berichtsoort: string): MessageType {
    const type = this.types.get(berichtsoort);
    if (!type) throw new CatalogError(`unknown berichtsoort ${berichtsoort}`);
    return type;
  }

  get recipients(): Recipient[] {
    return [...this.recipientsById.values()];
  }

  findRecipient(id: string): Recipient | undefined {
    return this.recipientsById.get(id);
  }

  recipient(id: string): Recipient {
    const recipient = this.recipientsById.get(id);
    if (!recipient) throw new CatalogError(`unknown recipient ${id}`);
    return recipient;
  }

  /** The type's XSD and the directory its imports may read from (the configuration or the standards directory). */
  schema(type: MessageType): SchemaLocation {
    const location = this.schemas.get(type.berichtsoort);
    if (!location) throw new CatalogError(`unknown berichtsoort ${type.berichtsoort}`);
    return location;
  }

  /** The business rule sets a document of this type must meet after its schema, checked when the catalog loaded. */
  ruleSets(type: MessageType): readonly RuleSet[] {
    return this.rules.get(type.berichtsoort) ?? [];
  }

  /** The type's XBRL taxonomy packages as absolute paths (none when it has none configured). */
  taxonomyPackagePaths(type: MessageType): string[] {
    return (type.validation.xbrl?.taxonomyPackages ?? []).map((path) => resolve(this.dir, path));
  }
}

function locateSchema(root: string, schema: string, where: string, env: NodeJS.ProcessEnv): SchemaLocation {
  if (!schema.startsWith(STANDARD_PREFIX)) {
    if (!existsSync(join(root, schema))) throw new CatalogError(`${where}: schema ${schema} does not exist under ${root}`);
    return { xsdPath: join(root, schema), root };
  }
  const file = schema.slice(STANDARD_PREFIX.length);
  if (file === '' || isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
    throw new CatalogError(`${where}: schema ${schema}: name a file inside the standards directory, e.g. standard:ubl-2.1.xsd`);
  }
  const dir = standardsDir(env);
  try {
    return { xsdPath: standardsFile(file, dir), root: dir };
  } catch (error) {
    throw new CatalogError(`${where}: schema ${schema}: ${(error as Error).message}`, { cause: error });
  }
}

/** The rule set's compiled form must be there and belong to the pinned XSLT: otherwise the service does not start. */
function checkedRuleSet(name: string, where: string, env: NodeJS.ProcessEnv): RuleSet {
  try {
    return resolveRuleSet(name, standardsDir(env));
  } catch (error) {
    throw new CatalogError(`${where}: rule set ${name}: ${(error as Error).message}`, { cause: error });
  }

}

/** The profile's PEM files as absolute paths, each of which must exist. */
function withResolvedFiles(root: string, recipient: Recipient): Recipient {
  const file = (path: string, what: string): string => {
    const absolute = resolve(root, path);
    if (!existsSync(absolute)) throw new CatalogError(`recipients.yaml: ${what} of recipient ${recipient.id} (${absolute}) does not exist`);
    return absolute;
  };
  return {
    ...recipient,
    ...(recipient.certificate ? { certificate: file(recipient.certificate, 'the certificate') } : {}),
    ...(recipient.clientCertificate
      ? { clientCertificate: { cert: file(recipient.clientCertificate.cert, 'the client certificate'), key: file(recipient.clientCertificate.key, 'the client key') } }
      : {}),
  };
}

function readYaml<S extends z.ZodType>(path: string, schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  if (!existsSync(path)) throw new CatalogError(`${path} does not exist`);
  let raw: unknown;
  try {
    raw = parse(substituteEnv(readFileSync(path, 'utf8'), env, path));
  } catch (error) {
    if (error instanceof CatalogError) throw error;
    throw new CatalogError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new CatalogError(`${path}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

function substituteEnv(text: string, env: NodeJS.ProcessEnv, path: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name] ?? fallback;
    if (value === undefined) throw new CatalogError(`${path}: environment variable ${name} is not set and has no default`);
    return value;
  });
}
