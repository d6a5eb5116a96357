import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from 'yaml';
import { z } from 'zod';

import { MessageType, Recipient, RecipientsFile } from './schema.js';

export class CatalogError extends Error {
  readonly code = 'CONFIG_MESSAGE_TYPES';
}

/**
 * The declarative configuration of what Poort carries: message types (who may send them, their schema, their
 * transformation and routes) and recipients. Loaded and cross-checked once at boot; a bad file stops the service.
 *
 * Layout: <dir>/recipients.yaml, <dir>/message-types/*.yaml, schemas referenced relative to <dir>.
 * String values may use ${VAR} or ${VAR:-default} to take deployment-specific values (endpoints) from the environment.
 */
export class MessageCatalog {
  private constructor(
    readonly dir: string,
    private readonly types: ReadonlyMap<string, MessageType>,
    private readonly recipientsById: ReadonlyMap<string, Recipient>,
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
    for (const file of files) {
      const type = readYaml(join(typesDir, file), MessageType, env);
      const where = `message-types/${file}`;
      if (types.has(type.berichtsoort)) throw new CatalogError(`${where}: berichtsoort ${type.berichtsoort} is configured twice`);
      if (!existsSync(join(root, type.validation.schema))) {
        throw new CatalogError(`${where}: schema ${type.validation.schema} does not exist under ${root}`);
      }
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
    return new MessageCatalog(root, types, recipientsById);
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

  schemaPath(type: MessageType): string {
    return join(this.dir, type.validation.schema);
  }

  /** The type's XBRL taxonomy packages as absolute paths (none when it has none configured). */
  taxonomyPackagePaths(type: MessageType): string[] {
    return (type.validation.xbrl?.taxonomyPackages ?? []).map((path) => resolve(this.dir, path));
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
