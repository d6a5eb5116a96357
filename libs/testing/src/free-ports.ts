import { createServer } from 'node:net';

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * The first port of a block of `size` free ports within [from, to). Keep the range below the kernel's
 * ephemeral ports (32768+), where outgoing connections would take ports from under the services.
 */
export async function freePortBlock(size: number, from: number, to: number): Promise<number> {
  const blocks = Math.floor((to - from) / size);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * blocks) * size;
    let free = true;
    for (let port = base; port < base + size && free; port++) free = await isFree(port);
    if (free) return base;
  }
  throw new Error(`no free block of ${size} ports in ${from}-${to}`);
}
