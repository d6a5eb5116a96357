import type { Socket } from 'node:net';

/** How long a refused connection still takes (and drops) what its client is sending, so that it hears the answer. */
const LINGER_MS = 2_000;

/**
 * Closes a connection after its answer has been written while the client may still be sending a body the server
 * will not read. Closing at once would make the kernel reset the connection, and a reset can throw away the answer
 * before the client reads it; so the server half-closes, drops what still arrives for a moment, and then closes.
 */
export function lingeringClose(socket: Socket): void {
  socket.end();
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
