import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { CliError } from '../src/cli-error.js';
import { EXIT, worstExit } from '../src/exit-codes.js';
import { expandInputs } from '../src/files.js';
import { run } from '../src/program.js';
import { endpoint, loadSettings, readTls } from '../src/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'poort-program-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--help of every command and --version exit 0; bad usage exits 2', async () => {
  for (const args of [['--help'], ['submit', '--help'], ['status', '--help'], ['follow', '--help'], ['--version']]) assert.equal(await run(args), EXIT.ok, args.join(' '));
  assert.equal(await run(['submit']), EXIT.usage);
  assert.equal(await run(['frobnicate']), EXIT.usage);
  assert.equal(await run(['submit', dir, '--concurrency', '0']), EXIT.usage);
  assert.equal(await run(['submit', dir, '--transport', 'carrier-pigeon']), EXIT.usage);
  assert.equal(await run(['submit', join(dir, 'missing'), '--berichtsoort', 'x', '--belanghebbende', 'Fi:1', '--rol', 'B']), EXIT.usage);
  assert.equal(await run(['submit', dir, '--belanghebbende', 'no-colon']), EXIT.usage);
  assert.equal(await run(['submit', dir]), EXIT.usage, 'the envelope is incomplete');
  assert.equal(await run(['follow']), EXIT.usage, 'nothing to follow');
});

test('settings: flags over environment over the config file, whose relative paths count from its folder', () => {
  const folder = join(dir, 'conf');
  mkdirSync(folder);
  const file = join(folder, 'poort.yaml');
  writeFileSync(
    file,
    ['ingress: https://from-file:8443', 'notification: https://notify-file:8449', 'tls: { cert: tls/cert.pem, key: /abs/key.pem }', 'envelope:', '  berichtsoort: e-factuur', "  identiteitBelanghebbende: { nummer: '001000044B37', type: Fi }", 'concurrency: 4'].join('\n'),
  );
  const fromFile = loadSettings({ config: file }, {}, '/elsewhere');
  assert.equal(fromFile.ingress, 'https://from-file:8443');
  assert.equal(fromFile.tls?.cert, join(folder, 'tls/cert.pem'));
  assert.equal(fromFile.tls?.key, '/abs/key.pem');
  assert.equal(fromFile.envelope.berichtsoort, 'e-factuur');
  assert.equal(fromFile.concurrency, 4);
  const env = { POORT_INGRESS_URL: 'https://from-env:1', POORT_CONFIG: file, POORT_CA: '/env/ca.pem' };
  const fromEnv = loadSettings({}, env, '/elsewhere');
  assert.equal(fromEnv.ingress, 'https://from-env:1');
  assert.equal(fromEnv.tls?.ca, '/env/ca.pem');
  assert.equal(loadSettings({ ingress: 'https://from-flag:2' }, env, '/elsewhere').ingress, 'https://from-flag:2');
  // The config file in the working folder is found without --config.
  assert.equal(loadSettings({}, {}, folder).notification, 'https://notify-file:8449');
});

test('bad configuration is a usage error that names what is wrong', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'ingress: not a url\nsurprise: 1\n');
  assert.throws(() => loadSettings({ config: bad }, {}, dir), (error: unknown) => error instanceof CliError && error.exitCode === EXIT.usage && /ingress/.test(error.message) && /surprise/.test(error.message));
  assert.throws(() => loadSettings({ config: join(dir, 'none.yaml') }, {}, dir), /does not exist/);
  assert.throws(() => readTls({ envelope: {} }), /client certificate and key are needed/);
  assert.throws(() => readTls({ envelope: {}, tls: { cert: join(dir, 'no.pem'), key: join(dir, 'no.key') } }), /cannot read the certificate file .*ENOENT/);
  assert.throws(() => endpoint({ envelope: {}, ingress: 'http://plain:80' }, 'ingress'), /must be https/);
  assert.throws(() => endpoint({ envelope: {} }, 'notification'), /POORT_NOTIFICATION_URL/);
});

test('inputs: files, folders without hidden files, and glob patterns, each file once, sorted', async () => {
  const root = join(dir, 'inputs');
  mkdirSync(join(root, 'a', 'deep'), { recursive: true });
  for (const name of ['a/1.xml', 'a/2.xml', 'a/deep/3.xml', 'a/.poort-journal.ndjson', 'a/notes.txt']) writeFileSync(join(root, name), name);
  assert.deepEqual(await expandInputs(['a'], root), ['a/1.xml', 'a/2.xml', 'a/deep/3.xml', 'a/notes.txt'].map((name) => join(root, name)));
  assert.deepEqual(await expandInputs(['a/**/*.xml', 'a/1.xml'], root), ['a/1.xml', 'a/2.xml', 'a/deep/3.xml'].map((name) => join(root, name)));
  await assert.rejects(expandInputs(['a/*.json'], root), (error: unknown) => error instanceof CliError && error.code === 'USAGE_NO_FILES');
});

test('the most serious exit code wins', () => {
  assert.equal(worstExit([EXIT.ok, EXIT.failed, EXIT.timeout]), EXIT.timeout);
  assert.equal(worstExit([EXIT.refused, EXIT.connection]), EXIT.connection);
  assert.equal(worstExit([]), EXIT.ok);
});
