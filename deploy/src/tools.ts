import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { K8S_BIN, KUBECONFIG, ROOT, SCHEMA_DIR } from './paths.js';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** The cluster's kubeconfig and the cached tools first on PATH. */
function toolEnv(options: RunOptions): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG, PATH: `${K8S_BIN}:${process.env.PATH ?? ''}`, ...options.env };
}

/** Runs a command to its end; never throws for its exit status (see mustRun). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 600_000,
    env: toolEnv(options),
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command and returns its stdout; a non-zero exit throws with what it printed. */
export function mustRun(command: string, args: readonly string[], options: RunOptions = {}): string {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr}\n${result.stdout}`.trim());
  }
  return result.stdout;
}

export const HELM = join(K8S_BIN, 'helm');
export const KUBECTL = join(K8S_BIN, 'kubectl');
export const helm = (args: readonly string[], options?: RunOptions): RunResult => run(HELM, args, options);
export const kubectl = (args: readonly string[], options?: RunOptions): RunResult => run(KUBECTL, args, options);

/** helm, kubectl, kubeconform, the schemas and the CRDs (cached in .cache/k8s; seconds when already there). */
export function ensureStaticTools(): void {
  mustRun('bash', [join(ROOT, 'scripts/k8s/static-tools.sh')], { timeoutMs: 1_200_000 });
}

/** The cluster of scripts/k8s/cluster.sh, started if it is not running (it builds its binaries the first time). */
export function ensureCluster(): void {
  mustRun('bash', [join(ROOT, 'scripts/k8s/cluster.sh'), 'up'], { timeoutMs: 1_800_000 });
}

export interface KubeconformResource {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
  readonly status: string;
  readonly msg: string;
}

/**
 * Strict offline validation against the Kubernetes schemas and those of the CRDs: an unknown field, a duplicate key
 * or a kind without a schema is an error. Returns every resource that is not valid (empty: all are).
 */
export function kubeconform(paths: readonly string[], input?: string): KubeconformResource[] {
  const args = [
    '-strict',
    '-output', 'json',
    '-schema-location', join(SCHEMA_DIR, 'kubernetes/{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    '-schema-location', join(SCHEMA_DIR, 'crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
    ...(input === undefined ? paths : ['-']),
  ];
  const result = run(join(K8S_BIN, 'kubeconform'), args, input === undefined ? {} : { input });
  const report = JSON.parse(result.stdout) as { resources?: KubeconformResource[] };
  const resources = report.resources ?? [];
  if (result.status !== 0 && resources.length === 0) throw new Error(`kubeconform failed: ${result.stderr}${result.stdout}`);
  return resources.filter((resource) => resource.status !== 'statusValid');
}

/**
 * Like run, without blocking the event loop: for long commands (helm install --wait, upgrades) while this process
 * also serves test recipients and drives a load.
 */
export function runAsync(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: toolEnv(options),
      timeout: options.timeoutMs ?? 600_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

/** runAsync, throwing on a non-zero exit with what the command printed. */
export async function mustRunAsync(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runAsync(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr}\n${result.stdout}`.trim());
  return result.stdout;
}
