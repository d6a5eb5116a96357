import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { usageError } from './cli-error.js';

const Identiteit = z.strictObject({ nummer: z.string().min(1).max(35), type: z.string().min(1).max(20) });

/** The koppelvlak fields every file of a run is submitted with (the file itself is berichtInhoud). */
export const EnvelopeDefaults = z.strictObject({
  berichtsoort: z.string().min(1).max(80).optional(),
  identiteitBelanghebbende: Identiteit.optional(),
  rolBelanghebbende: z.string().min(1).max(40).optional(),
  identiteitOntvanger: Identiteit.optional(),
  rolOntvanger: z.string().min(1).max(40).optional(),
  autorisatieAdres: z.string().min(1).max(255).optional(),
  mimeType: z.string().min(1).max(255).optional(),
});
export type EnvelopeDefaults = z.infer<typeof EnvelopeDefaults>;

/** The config file (YAML; JSON is YAML too). Relative file names count from the file's own folder. */
const ConfigFile = z.strictObject({
  ingress: z.url().optional(),
  notification: z.url().optional(),
  tls: z.strictObject({ cert: z.string().optional(), key: z.string().optional(), ca: z.string().optional() }).optional(),
  envelope: EnvelopeDefaults.optional(),
  concurrency: z.int().min(1).max(256).optional(),
});
type ConfigFile = z.infer<typeof ConfigFile>;

/** What the flags common to every command give; each overrides the environment, which overrides the config file. */
export interface ConnectionFlags {
  readonly config?: string;
  readonly ingress?: string;
  readonly notification?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

export interface Tls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Absent: the system's trust store. */
  readonly ca?: Buffer;
}

export interface Settings {
  readonly ingress?: string;
  readonly notification?: string;
  readonly tls?: { readonly cert?: string; readonly key?: string; readonly ca?: string };
  readonly envelope: EnvelopeDefaults;
  readonly concurrency?: number;
  /** Where the settings came from, for error messages. */
  readonly configFile?: string;
}

/** The environment variables poort reads (documented in the README). */
export const ENV = {
  config: 'POORT_CONFIG',
  ingress: 'POORT_INGRESS_URL',
  notification: 'POORT_NOTIFICATION_URL',
  cert: 'POORT_CERT',
  key: 'POORT_KEY',
  ca: 'POORT_CA',
} as const;

/** The config file's default places: ./poort.yaml, then ~/.config/poort/config.yaml (XDG_CONFIG_HOME respected). */
export function defaultConfigFiles(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const configHome = env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return [join(cwd, 'poort.yaml'), join(configHome, 'poort', 'config.yaml')];
}

/** The settings of this run: flags over environment over config file. */
export function loadSettings(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const explicit = flags.config ?? env[ENV.config];
  const file = explicit !== undefined ? resolve(cwd, explicit) : defaultConfigFiles(env, cwd).find((candidate) => existsSync(candidate));
  if (explicit !== undefined && !existsSync(file!)) throw usageError('CONFIG_NOT_FOUND', `config file ${file} does not exist`);
  const config = file ? readConfigFile(file) : {};
  const base = file ? dirname(file) : cwd;
  const fromFile = (path: string | undefined) => (path === undefined ? undefined : isAbsolute(path) ? path : join(base, path));
  const pick = (flag: string | undefined, envName: string, configured: string | undefined) => flag ?? env[envName] ?? configured;
  const tls = {
    cert: pick(flags.cert, ENV.cert, fromFile(config.tls?.cert)),
    key: pick(flags.key, ENV.key, fromFile(config.tls?.key)),
    ca: pick(flags.ca, ENV.ca, fromFile(config.tls?.ca)),
  };
  return {
    ingress: pick(flags.ingress, ENV.ingress, config.ingress),
    notification: pick(flags.notification, ENV.notification, config.notification),
    tls,
    envelope: config.envelope ?? {},
    ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
    ...(file ? { configFile: file } : {}),
  };
}

function readConfigFile(file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError('CONFIG_INVALID', `config file ${file} is not readable YAML: ${(error as Error).message}`, error);
  }
  const parsed = ConfigFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
    throw usageError('CONFIG_INVALID', `config file ${file}: ${problems}`);
  }
  return parsed.data;
}

/** The client certificate, key and CA as bytes; a missing or unreadable one is a usage error, named. */
export function readTls(settings: Settings): Tls {
  const { cert, key, ca } = settings.tls ?? {};
  if (!cert || !key) {
    throw usageError('CONFIG_NO_CLIENT_CERTIFICATE', 'a client certificate and key are needed (--cert and --key, POORT_CERT and POORT_KEY, or tls.cert and tls.key in the config file)');
  }
  return { cert: readPem('certificate', cert), key: readPem('key', key), ...(ca ? { ca: readPem('CA', ca) } : {}) };
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw usageError('CONFIG_FILE_UNREADABLE', `cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
}

/** An endpoint that must be set, as a URL. */
export function endpoint(settings: Settings, which: 'ingress' | 'notification'): URL {
  const value = settings[which];
  if (!value) {
    const envName = which === 'ingress' ? ENV.ingress : ENV.notification;
    throw usageError('CONFIG_NO_ENDPOINT', `the ${which} URL is not set (--${which}, ${envName}, or ${which}: in the config file)`);
  }
  if (!URL.canParse(value)) throw usageError('CONFIG_INVALID', `the ${which} URL is not a URL: ${value}`);
  const url = new URL(value);
  if (url.protocol !== 'https:') throw usageError('CONFIG_INVALID', `the ${which} URL must be https (two-way TLS): ${value}`);
  return url;
}
