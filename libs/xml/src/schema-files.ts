import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { xmlRegisterInputProvider, type XmlInputProvider } from 'libxml2-wasm';

// libxml2 resolves xs:import / xs:include through input providers that are registered process-wide.
// Poort's provider answers every request, but only while a schema is being compiled, and only opens
// regular files inside that schema's root directory: no network, no other files.

export interface SchemaLoadProblem {
  kind: 'forbidden' | 'missing';
  location: string;
  reason: string;
}

interface LoadSession {
  root: string;
  problems: SchemaLoadProblem[];
}

let session: LoadSession | undefined;
let registered = false;

const provider: XmlInputProvider = {
  match: () => session !== undefined,
  open(location) {
    if (session === undefined) return undefined;
    const resolved = resolveInsideRoot(location, session.root);
    if (typeof resolved !== 'string') {
      session.problems.push(resolved);
      return undefined;
    }
    try {
      return fs.openSync(resolved, 'r');
    } catch (error) {
      session.problems.push({ kind: 'missing', location, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  },
  read(fd, buf) {
    try {
      return fs.readSync(fd, buf, 0, buf.byteLength, null);
    } catch {
      return -1;
    }
  },
  close(fd) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed: nothing to release
    }
    return true;
  },
};

/** Runs `compile` with read access to the files under `root` (a real, absolute path). */
export function withSchemaFileAccess<T>(root: string, compile: () => T): { result: T; problems: SchemaLoadProblem[] } {
  if (!registered) {
    if (!xmlRegisterInputProvider(provider)) throw new Error('libxml2 refused to register the schema input provider');
    registered = true;
  }
  if (session !== undefined) throw new Error('schema compilation is not reentrant');
  const current: LoadSession = { root, problems: [] };
  session = current;
  try {
    return { result: compile(), problems: current.problems };
  } finally {
    session = undefined;
  }
}

/** Real path of `location` if it is a regular file inside `root`, otherwise the problem. */
export function resolveInsideRoot(location: string, root: string): string | SchemaLoadProblem {
  let candidate: string;
  if (location.startsWith('file:')) {
    try {
      candidate = fileURLToPath(location);
    } catch {
      return { kind: 'forbidden', location, reason: 'not a local file URL' };
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(location)) {
    return { kind: 'forbidden', location, reason: 'only files inside the schema directory may be loaded, not URLs' };
  } else {
    candidate = path.resolve(location);
  }
  let real: string;
  try {
    real = fs.realpathSync.native(candidate);
  } catch {
    // libxml2 percent-escapes some characters when it builds a URI from a path
    try {
      real = fs.realpathSync.native(decodeURIComponent(candidate));
    } catch (error) {
      return { kind: 'missing', location, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  if (!isInside(real, root)) {
    return { kind: 'forbidden', location, reason: `outside the schema directory ${root}` };
  }
  if (!fs.statSync(real).isFile()) return { kind: 'missing', location, reason: 'not a regular file' };
  return real;
}

export function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
