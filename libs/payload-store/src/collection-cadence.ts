/**
 * A soft memory limit for streams of large contents, as Go's GOMEMLIMIT is for a whole program. Such a content moves
 * through a service as chunks, and every chunk leaves garbage behind: the buffers pg reads and writes it with, and a
 * read chunk's hex text, about 5 MiB for each MiB moved. V8 collects it late (it lets external memory grow by 64 MB,
 * and the large-object space by more, before it looks), so a service streaming a 200 MB file peaked 80-165 MiB above
 * its resting size, however little of the file it held. Instead, every CHECK_EVERY_BYTES a stream moves, the process
 * looks at its resident size, and above POORT_MEMORY_SOFT_LIMIT_MB (208 by default; 0: never) it collects at once.
 * Below the limit nothing happens; above it a full collection (some tens of milliseconds) per 2 MiB slows the stream
 * (a 200 MB upload took 37 s instead of 16 s when the limit was always passed). It needs node's --expose-gc
 * (NODE_RUNTIME in libs/testing, and the image); without it, nothing happens.
 */
export const CHECK_EVERY_BYTES = 2 * 1024 * 1024;

const collect = (globalThis as { gc?: (options: { type: 'major' }) => void }).gc;
/** Validated as the services' configuration (platformEnv); read here, where it acts. */
const softLimitBytes = Number(process.env.POORT_MEMORY_SOFT_LIMIT_MB ?? 208) * 1024 * 1024;
let movedSinceCheck = 0;

/** Counts bytes a stream of payload chunks moved; collects the garbage when the process is above its soft limit. */
export function countStreamedBytes(bytes: number): void {
  movedSinceCheck += bytes;
  if (movedSinceCheck < CHECK_EVERY_BYTES) return;
  movedSinceCheck = 0;
  if (collect && softLimitBytes > 0 && process.memoryUsage.rss() > softLimitBytes) collect({ type: 'major' });
}
