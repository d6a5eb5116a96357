import { readFileSync } from 'node:fs';

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { MAX_RUN_LENGTH } from './aanleverkenmerk.js';
import { CliError } from './cli-error.js';
import { parseIdentiteit } from './envelope.js';
import { EXIT } from './exit-codes.js';
import { followCommand } from './follow.command.js';
import { loadSettings, type ConnectionFlags, type EnvelopeDefaults, type Settings } from './settings.js';
import { statusCommand } from './status.command.js';
import { DEFAULT_JOURNAL, submitCommand } from './submit.command.js';
import { DEFAULT_LIMITS, type TransportMode } from './transport-choice.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const positiveInt = (name: string, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
  return number;
};

const EXIT_CODES_HELP = `
Exit codes:
  0    all good: every file acknowledged (submit), every process ended well (status, follow)
  2    usage error: flags, arguments, configuration, certificate files, no files found
  3    submit: at least one file was refused (its code is in the table)
  4    status, follow: at least one process ended in a failure status (210, 311, 410, 510, a final technical problem)
  5    connection or TLS error: Poort unreachable, TLS failed, certificate refused, busy for too long
  6    follow: --timeout passed before every process ended
  130  interrupted (Ctrl-C): the journal keeps what was acknowledged; run the same command again to resume
  1    a bug in poort`;

export function buildProgram(): Command {
  const program = new Command('poort')
    .description("Submit files to Poort (a Digipoort-style gateway) over two-way TLS, and follow their statuses.")
    .version(VERSION)
    .option('--config <file>', 'config file (YAML); default ./poort.yaml, then ~/.config/poort/config.yaml [env POORT_CONFIG]')
    .option('--ingress <url>', "ingress base URL, e.g. https://poort.example:8443 [env POORT_INGRESS_URL]")
    .option('--notification <url>', 'notification (status service) base URL [env POORT_NOTIFICATION_URL]')
    .option('--cert <file>', 'client certificate (PEM) [env POORT_CERT]')
    .option('--key <file>', 'client private key (PEM) [env POORT_KEY]')
    .option('--ca <file>', "CA certificates that issued Poort's server certificate (PEM); default the system's [env POORT_CA]")
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('submit')
    .description('submit each file as a message: files, folders (every file below them) and glob patterns; resumes from the journal')
    .argument('<inputs...>', 'files, folders or glob patterns (quote patterns: "invoices/**/*.xml")')
    .option('--journal <file>', 'the journal of acknowledged files', `./${DEFAULT_JOURNAL}`)
    .option('--run <name>', `run name (1–${MAX_RUN_LENGTH} characters), the prefix of every aanleverkenmerk; the same run name resumes, a new one submits again`, 'poort')
    .addOption(new Option('--transport <mode>', 'single requests, bulk requests, or chosen by count and size').choices(['auto', 'single', 'bulk']).default('auto'))
    .option('--concurrency <n>', 'requests at once (default 8, or concurrency: in the config)', positiveInt('--concurrency', 256))
    .option('--bulk-size <n>', 'files per bulk request', positiveInt('--bulk-size', 10_000), 100)
    .option('--in-band-max <bytes>', 'largest file sent in band; larger ones go as Grote Berichten', positiveInt('--in-band-max'), DEFAULT_LIMITS.inBandMaxBytes)
    .option('--upload-chunk <bytes>', 'bytes per PUT of a Grote Bericht', positiveInt('--upload-chunk'), DEFAULT_LIMITS.uploadChunkBytes)
    .option('--berichtsoort <name>', 'message type, e.g. e-factuur')
    .option('--belanghebbende <type:nummer>', 'identiteitBelanghebbende, e.g. Fi:001000044B37')
    .option('--rol <rol>', 'rolBelanghebbende, e.g. Bedrijf')
    .option('--ontvanger <type:nummer>', 'identiteitOntvanger, e.g. OIN:00000001003214345000')
    .option('--rol-ontvanger <rol>', 'rolOntvanger')
    .option('--autorisatie-adres <url>', 'autorisatieAdres (the AuSP endpoint)')
    .option('--mime-type <type>', 'mimeType of every file', undefined)
    .addHelpText('after', `
Each file's aanleverkenmerk is <run>-<digest of run, path and content>: sending a file again (a resumed run, a retry)
is recognised by Poort, and never makes a second message. More than ${DEFAULT_LIMITS.bulkMinFiles} small files go by the bulk API
(POST /api/v1/bulk) unless --transport single; files above --in-band-max go as Grote Berichten (announced, then
uploaded in --upload-chunk ranges; a resumed run sends only what Poort is missing).
Busy answers (503 with Retry-After) are waited out and retried, not counted as refused.`)
    .action(async (inputs: string[], flags: SubmitFlags, command: Command) => {
      const settings = settingsWithEnvelope(command.optsWithGlobals<ConnectionFlags>(), flags);
      exitWith(
        await submitCommand(inputs, {
          ...(flags.journal !== undefined ? { journal: flags.journal } : {}),
          run: flags.run,
          transport: flags.transport,
          concurrency: flags.concurrency ?? settings.concurrency ?? 8,
          bulkSize: flags.bulkSize,
          limits: { ...DEFAULT_LIMITS, inBandMaxBytes: flags.inBandMax, uploadChunkBytes: flags.uploadChunk },
        }, settings),
      );
    });

  program
    .command('status')
    .description('print the statuses of processes now')
    .argument('<kenmerken...>', 'kenmerken Poort gave the submissions')
    .option('--history', 'every status of each process, not only the latest', false)
    .option('--json', 'the statuses as JSON', false)
    .action(async (kenmerken: string[], flags: { history: boolean; json: boolean }, command: Command) => {
      exitWith(await statusCommand(kenmerken, flags, loadSettings(command.optsWithGlobals<ConnectionFlags>())));
    });

  program
    .command('follow')
    .description('wait until every process has ended (delivered or a final status), then print a summary')
    .argument('[kenmerken...]', 'kenmerken to follow (with --journal: added to the journal\'s)')
    .option('--journal <file>', 'follow every file the journal holds as acknowledged')
    .option('--interval <ms>', 'pause between polling rounds', positiveInt('--interval'), 2_000)
    .option('--timeout <seconds>', 'stop waiting after this long (exit 6)', positiveInt('--timeout'))
    .option('--concurrency <n>', 'status requests at once', positiveInt('--concurrency', 64), 8)
    .action(async (kenmerken: string[], flags: { journal?: string; interval: number; timeout?: number; concurrency: number }, command: Command) => {
      exitWith(
        await followCommand(
          kenmerken,
          { ...(flags.journal !== undefined ? { journal: flags.journal } : {}), intervalMs: flags.interval, ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout * 1000 } : {}), concurrency: flags.concurrency },
          loadSettings(command.optsWithGlobals<ConnectionFlags>()),
        ),
      );
    });

  return program;
}

interface SubmitFlags {
  journal?: string;
  run: string;
  transport: TransportMode;
  concurrency?: number;
  bulkSize: number;
  inBandMax: number;
  uploadChunk: number;
  berichtsoort?: string;
  belanghebbende?: string;
  rol?: string;
  ontvanger?: string;
  rolOntvanger?: string;
  autorisatieAdres?: string;
  mimeType?: string;
}

/** The settings with the envelope flags laid over the config file's envelope. */
function settingsWithEnvelope(connection: ConnectionFlags, flags: SubmitFlags): Settings {
  const settings = loadSettings(connection);
  const envelope: EnvelopeDefaults = {
    ...settings.envelope,
    ...(flags.berichtsoort !== undefined ? { berichtsoort: flags.berichtsoort } : {}),
    ...(flags.belanghebbende !== undefined ? { identiteitBelanghebbende: parseIdentiteit('--belanghebbende', flags.belanghebbende) } : {}),
    ...(flags.rol !== undefined ? { rolBelanghebbende: flags.rol } : {}),
    ...(flags.ontvanger !== undefined ? { identiteitOntvanger: parseIdentiteit('--ontvanger', flags.ontvanger) } : {}),
    ...(flags.rolOntvanger !== undefined ? { rolOntvanger: flags.rolOntvanger } : {}),
    ...(flags.autorisatieAdres !== undefined ? { autorisatieAdres: flags.autorisatieAdres } : {}),
    ...(flags.mimeType !== undefined ? { mimeType: flags.mimeType } : {}),
  };
  return { ...settings, envelope };
}

let exitCode: number = EXIT.ok;
const exitWith = (code: number) => {
  exitCode = code;
};

/** Runs poort with these arguments (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  exitCode = EXIT.ok;
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      console.error(`poort: ${error.code}: ${error.message}`);
      return error.exitCode;
    }
    console.error('poort: INTERNAL_ERROR: a bug in poort:', error);
    return EXIT.internal;
  }
}
