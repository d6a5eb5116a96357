/**
 * Large contents move through a service as a stream of chunks, and every chunk leaves garbage behind: the buffers pg
 * reads and writes it with, and its hex text. V8 collects such garbage late: it lets external memory grow by 64 MB and
 * the large-object space by more before it looks, so a service streaming a 200 MB file peaked 60-110 MB above its
 * resting size, however little of the file it held. Asking for a collection after every COLLECT_EVERY_BYTES moved
 * (across all streams of the process) keeps that peak near one interval's worth, at the cost of one full collection,
 * some tens of milliseconds, per interval. It needs node's --expose-gc (NODE_RUNTIME); without it, nothing happens.
 */
export const COLLECT_EVERY_BYTES = 32 * 1024 * 1024;

const collect = (globalThis as { gc?: () => void }).gc;
let movedSinceCollection = 0;

/** Counts bytes a stream of payload chunks moved, and collects the garbage every COLLECT_EVERY_BYTES. */
export function countStreamedBytes(bytes: number): void {
  movedSinceCollection += bytes;
  if (movedSinceCollection < COLLECT_EVERY_BYTES) return;
  movedSinceCollection = 0;
  collect?.();
}
