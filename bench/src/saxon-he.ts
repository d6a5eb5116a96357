import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Java Saxon-HE for the validation benchmark's comparison (--java): the jars from Maven Central, pinned by version
// and SHA-256 (as libs/standards/artefacts.json pins the standards), into <checkout>/.cache/saxon-he, and the
// harness bench/java/RulesBench.java compiled there with the machine's javac. Only the benchmark uses them.

const REPOSITORY = 'https://repo1.maven.org/maven2';

/** Saxon-HE 12.9 (MPL-2.0) and the one dependency it needs at run time (xmlresolver, Apache-2.0). */
const JARS = [
  { coordinates: 'net.sf.saxon:Saxon-HE:12.9', sha256: '8f3a9216a537367132293eacbba9df062eace8f8b16a184af59e2e4839d4cd41' },
  { coordinates: 'org.xmlresolver:xmlresolver:5.3.3', sha256: '1fe4d5b92f708dcdb82dbce12919e0171e6b5ca62c6dca6220483625098feb5f' },
] as const;

export const SAXON_HE_VERSION = '12.9';

export interface SaxonHe {
  /** `java -cp <classpath> RulesBench …` */
  readonly classpath: string;
  readonly javaVersion: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function fetchJar(dir: string, coordinates: string, expected: string): Promise<string> {
  const [group = '', artifact = '', version = ''] = coordinates.split(':');
  const file = join(dir, `${artifact}-${version}.jar`);
  if (existsSync(file) && sha256(readFileSync(file)) === expected) return file;
  const url = `${REPOSITORY}/${group.replaceAll('.', '/')}/${artifact}/${version}/${artifact}-${version}.jar`;
  console.error(`[bench] fetching ${coordinates}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = sha256(bytes);
  if (actual !== expected) throw new Error(`${coordinates}: SHA-256 ${actual}, pinned ${expected}`);
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
  return file;
}

/** Runs a JDK tool; its output (java -version writes to stderr) or a clear error. */
function jdk(name: string, args: readonly string[]): string {
  const result = spawnSync(name, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`${name} ${args.join(' ')} failed (--java needs a JDK 11 or later on PATH): ${result.error?.message ?? result.stderr.trim()}`);
  }
  return result.stdout + result.stderr;
}

/** Fetches the jars (once) and compiles the harness (when its source is newer than its class). */
export async function prepareSaxonHe(root: string): Promise<SaxonHe> {
  const dir = join(root, '.cache/saxon-he');
  const classes = join(dir, 'classes');
  mkdirSync(classes, { recursive: true });
  const jars: string[] = [];
  for (const { coordinates, sha256: expected } of JARS) jars.push(await fetchJar(dir, coordinates, expected));
  const source = join(root, 'bench/java/RulesBench.java');
  const compiled = join(classes, 'RulesBench.class');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    jdk('javac', ['-cp', jars.join(':'), '-d', classes, source]);
  }
  const javaVersion = /version "([^"]+)"/.exec(jdk('java', ['-version']))?.[1] ?? 'unknown';
  return { classpath: [...jars, classes].join(':'), javaVersion };
}
