// Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) from uncompressed layer tars: the archive that
// 'ctr images import', 'podman load' and 'skopeo' read, made without a daemon or a registry. Deterministic: the same
// layers and settings give the same digests. Compressed layers are cached by their diff_id (the digest of the
// uncompressed tar), so a layer that did not change is not compressed again.
//
//   node oci-layout.mjs --out <dir> --cache <dir> --ref <name:tag> --config <image-config.json> --created <ISO time>
//                       [--label key=value]... --layer <a.tar> [--layer <b.tar>]...
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};
const ARCHITECTURES = { x64: 'amd64', arm64: 'arm64' };

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    cache: { type: 'string' },
    ref: { type: 'string' },
    config: { type: 'string' },
    created: { type: 'string' },
    label: { type: 'string', multiple: true, default: [] },
    layer: { type: 'string', multiple: true, default: [] },
  },
});
for (const name of ['out', 'cache', 'ref', 'config', 'created']) {
  if (!values[name]) throw new Error(`--${name} is required`);
}
if (values.layer.length === 0) throw new Error('at least one --layer is required');

const sha256 = () => createHash('sha256');
const digestOf = (hash) => `sha256:${hash.digest('hex')}`;

/** Passes bytes through while hashing and counting them. */
function measuring() {
  const hash = sha256();
  let size = 0;
  const stream = new Transform({
    transform(chunk, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ digest: digestOf(hash), size }) };
}

async function fileDigest(path) {
  const hash = sha256();
  await pipeline(createReadStream(path), hash);
  return digestOf(hash);
}

/** The gzip-compressed layer for this tar, from the cache or compressed now, with both digests and its size. */
async function compressedLayer(tarPath) {
  const diffId = await fileDigest(tarPath);
  const cached = join(values.cache, `${diffId.slice('sha256:'.length)}.tar.gz`);
  const meta = `${cached}.json`;
  try {
    const layer = { ...JSON.parse(await readFile(meta, 'utf8')), path: cached };
    // Marks it used: image.sh prunes what no build used for a week.
    const now = new Date();
    await Promise.all([utimes(cached, now, now), utimes(meta, now, now)]);
    return layer;
  } catch {
    // not cached yet
  }
  const measure = measuring();
  const partial = `${cached}.${process.pid}.partial`;
  await pipeline(createReadStream(tarPath), createGzip({ level: 6 }), measure.stream, createWriteStream(partial));
  const { digest, size } = measure.result();
  await rename(partial, cached);
  await writeFile(meta, JSON.stringify({ diffId, digest, size }));
  return { diffId, digest, size, path: cached };
}

async function writeBlob(bytes) {
  const digest = digestOf(sha256().update(bytes));
  await writeFile(join(values.out, 'blobs/sha256', digest.slice('sha256:'.length)), bytes);
  return { digest, size: bytes.length };
}

async function placeBlob(path, digest) {
  const target = join(values.out, 'blobs/sha256', digest.slice('sha256:'.length));
  await link(path, target).catch(() => copyFile(path, target));
}

const architecture = ARCHITECTURES[process.arch];
if (!architecture) throw new Error(`no OCI architecture known for ${process.arch}`);
const imageConfig = JSON.parse(await readFile(values.config, 'utf8'));
const labels = Object.fromEntries(values.label.map((label) => [label.slice(0, label.indexOf('=')), label.slice(label.indexOf('=') + 1)]));
const tag = values.ref.slice(values.ref.lastIndexOf(':') + 1);

await rm(values.out, { recursive: true, force: true });
await mkdir(join(values.out, 'blobs/sha256'), { recursive: true });
await mkdir(values.cache, { recursive: true });

// Compressed side by side: zlib works on the thread pool, so the layers share the cores.
const layers = await Promise.all(values.layer.map((tarPath) => compressedLayer(tarPath)));
for (const layer of layers) await placeBlob(layer.path, layer.digest);

const config = await writeBlob(
  Buffer.from(
    JSON.stringify({
      created: values.created,
      architecture,
      os: 'linux',
      config: { ...imageConfig, Labels: labels },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: values.layer.map((tarPath) => ({ created: values.created, created_by: `scripts/k8s/image.sh: ${tarPath.split('/').pop()}` })),
    }),
  ),
);
const manifest = await writeBlob(
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, ...config },
      layers: layers.map(({ digest, size }) => ({ mediaType: MEDIA.layer, digest, size })),
    }),
  ),
);
// The names BuildKit's OCI exporter gives: containerd takes the full one, OCI tools the tag.
const index = {
  schemaVersion: 2,
  mediaType: MEDIA.index,
  manifests: [
    {
      mediaType: MEDIA.manifest,
      ...manifest,
      platform: { architecture, os: 'linux' },
      annotations: { 'io.containerd.image.name': values.ref, 'org.opencontainers.image.ref.name': tag },
    },
  ],
};
await writeFile(join(values.out, 'index.json'), JSON.stringify(index));
await writeFile(join(values.out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));

const uncompressed = (await Promise.all(values.layer.map((tarPath) => stat(tarPath)))).reduce((sum, { size }) => sum + size, 0);
const compressed = layers.reduce((sum, { size }) => sum + size, 0);
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
process.stderr.write(`[k8s] ${values.ref}: ${manifest.digest}, ${megabytes(compressed)} compressed, ${megabytes(uncompressed)} uncompressed\n`);
process.stdout.write(`${JSON.stringify({ ref: values.ref, manifest: manifest.digest, config: config.digest, compressed, uncompressed })}\n`);
