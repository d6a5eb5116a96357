import { z } from 'zod';

/** Values marked secret are never printed: not in logs, not in error messages. */
const secrets = z.registry<{ secret: true }>();

export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema, { secret: true });
  return schema;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

type EnvSchema = z.ZodObject<Record<string, z.ZodType>>;

/**
 * Parses the environment once, at boot, against a schema whose keys are the variable names. A service that
 * is misconfigured refuses to start and says which variables are wrong, without echoing secret values.
 */
export function loadConfig<S extends EnvSchema>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration for ${service}:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/** The configuration as it may be logged: secret values replaced. */
export function redacted<S extends EnvSchema>(schema: S, config: z.infer<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    const value = (config as Record<string, unknown>)[key];
    out[key] = secrets.has(fieldSchema) && value !== undefined ? '<redacted>' : value;
  }
  return out;
}

/** For entry points: a configuration error ends the process with the message, not a stack trace. */
export function loadConfigOrExit<S extends EnvSchema>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  try {
    return loadConfig(service, schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: error.message })}\n`);
    process.exit(78); // EX_CONFIG
  }
}
