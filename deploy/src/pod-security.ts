import type { K8sObject } from './render.js';

/**
 * The restricted Pod Security Standard (latest), checked offline on rendered objects, plus the chart's own rule of a
 * read-only root filesystem. The API server's admission says the same in tier 2; this finds it without a cluster
 * and names the object.
 */
interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
}

interface Container {
  readonly name: string;
  readonly securityContext?: SecurityContext;
  readonly ports?: readonly { readonly hostPort?: number }[];
}

interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContext;
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly Record<string, unknown>[];
}

const ALLOWED_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SECCOMP_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** The pod spec of a workload object, or undefined for objects that run no pods. */
export function podSpecOf(object: K8sObject): PodSpec | undefined {
  switch (object.kind) {
    case 'Pod':
      return object.spec as unknown as PodSpec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return (object.spec as { template: { spec: PodSpec } }).template.spec;
    case 'CronJob':
      return (object.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec;
    default:
      return undefined;
  }
}

/** What of the restricted standard (and a read-only root filesystem) an object breaks; empty when it passes. */
export function restrictedViolations(object: K8sObject): string[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const where = `${object.kind}/${object.metadata.name}`;
  const found: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) found.push(`${where}: host namespaces`);
  for (const volume of pod.volumes ?? []) {
    const source = Object.keys(volume).find((key) => key !== 'name');
    if (source === undefined || !ALLOWED_VOLUME_SOURCES.has(source)) found.push(`${where}: volume ${String(volume.name)} of type ${String(source)}`);
  }
  for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const at = `${where} container ${container.name}`;
    const context = container.securityContext ?? {};
    if (context.privileged) found.push(`${at}: privileged`);
    if (context.allowPrivilegeEscalation !== false) found.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) found.push(`${at}: capabilities do not drop ALL`);
    if ((context.capabilities?.add ?? []).some((capability) => capability !== 'NET_BIND_SERVICE')) found.push(`${at}: adds capabilities`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) found.push(`${at}: runAsNonRoot is not true`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) found.push(`${at}: runs as root`);
    if (!SECCOMP_TYPES.has(context.seccompProfile?.type ?? podContext.seccompProfile?.type ?? '')) found.push(`${at}: no RuntimeDefault seccomp profile`);
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined && port.hostPort !== 0)) found.push(`${at}: hostPort`);
    if (context.readOnlyRootFilesystem !== true) found.push(`${at}: the root filesystem is writable`);
  }
  return found;
}
