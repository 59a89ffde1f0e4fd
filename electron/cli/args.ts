import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, s3SourceSchema, type ExportFormat, type S3Source } from '../../shared/api/schemas';
import { UsageError } from './common';

/**
 * Command lines parsed and checked before anything heavy is imported, so help and usage
 * errors answer at once. `null` means "--help was asked for".
 */

/** What --format accepts: the export formats, with `json`/`jsonl` for GuardDuty JSON. */
export const CLI_FORMATS = ['json', 'jsonl', ...EXPORT_FORMATS.filter((f) => !f.startsWith('guardduty-json'))] as const;
const ALIASES: Record<string, ExportFormat> = { json: 'guardduty-json', jsonl: 'guardduty-jsonl' };
/** Formats that are one stream of bytes, so `--out -` can send them to stdout. */
const STREAMABLE = new Set<ExportFormat>([
  'guardduty-json',
  'guardduty-jsonl',
  'eventbridge',
  'ocsf',
  'csv',
  'timesketch',
  'html',
  'playbook',
]);

export interface OutputArgs {
  out: string | undefined;
  format: ExportFormat;
  includeArchived: boolean;
}

export interface ScanArgs extends OutputArgs {
  /** Local files, folders and globs. */
  paths: string[];
  /** s3:// locations, with the S3 options of the command line. */
  s3: S3Source[];
  threatLists: string[];
  trustedLists: string[];
  workspace: string | undefined;
  rules: string | undefined;
  flowFormat: string | undefined;
  /** Days of each source that only build the behaviour baselines; unset = automatic. */
  learningDays: number | undefined;
  suppress: string | undefined;
  notify: string | undefined;
  /** Load the feeds `loupe intel update` keeps (default yes, when there are any). */
  feeds: boolean;
  /** Where those feeds are; the engine's default folder when unset. */
  feedsDir: string | undefined;
}

const OUTPUT_OPTIONS = {
  out: { type: 'string' },
  format: { type: 'string' },
  'include-archived': { type: 'boolean' },
} as const;

export function parseScanArgs(argv: string[]): ScanArgs | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...OUTPUT_OPTIONS,
      'threat-list': { type: 'string', multiple: true },
      'trusted-list': { type: 'string', multiple: true },
      workspace: { type: 'string' },
      rules: { type: 'string' },
      'flow-format': { type: 'string' },
      'learning-days': { type: 'string' },
      suppress: { type: 'string' },
      notify: { type: 'string' },
      'no-feeds': { type: 'boolean' },
      'feeds-dir': { type: 'string' },
      profile: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      account: { type: 'string', multiple: true },
      'log-region': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError('scan needs at least one path to read.');
  const s3Uris = positionals.filter((p) => /^s3:\/\//i.test(p));
  const s3Flags = ['profile', 'region', 'endpoint', 'from', 'to', 'account', 'log-region'] as const;
  const used = s3Flags.filter((f) => values[f] !== undefined);
  if (s3Uris.length === 0 && used.length > 0) {
    throw new UsageError(`--${used[0]} only applies to s3:// paths, and none was given.`);
  }
  const s3 = s3Uris.map((uri) => {
    const parsed = s3SourceSchema.safeParse({
      uri,
      profile: values.profile,
      region: values.region,
      endpoint: values.endpoint,
      from: values.from,
      to: values.to,
      accounts: values.account,
      regions: values['log-region'],
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const flag = { accounts: 'account', regions: 'log-region' }[String(issue?.path[0])] ?? String(issue?.path[0]);
      throw new UsageError(`--${flag}: ${issue?.message ?? 'not valid'}.`);
    }
    return parsed.data;
  });
  const learningText = values['learning-days'];
  const learningDays = learningText === undefined ? undefined : Number(learningText);
  if (learningDays !== undefined && !(Number.isInteger(learningDays) && learningDays >= 0 && learningDays <= 365)) {
    throw new UsageError(`--learning-days takes a whole number of days from 0 to 365, not "${learningText}".`);
  }
  return {
    paths: positionals.filter((p) => !/^s3:\/\//i.test(p)),
    s3,
    threatLists: values['threat-list'] ?? [],
    trustedLists: values['trusted-list'] ?? [],
    workspace: values.workspace,
    rules: values.rules,
    flowFormat: values['flow-format'],
    learningDays,
    suppress: values.suppress,
    notify: values.notify,
    feeds: !(values['no-feeds'] ?? false),
    feedsDir: values['feeds-dir'],
    ...outputArgs(values),
  };
}

export interface ExportArgs extends OutputArgs {
  caseDir: string;
  out: string;
  overwrite: boolean;
  findingIds: string[];
}

export function parseExportArgs(argv: string[]): ExportArgs | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...OUTPUT_OPTIONS,
      overwrite: { type: 'boolean' },
      finding: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const [caseDir, ...extra] = positionals;
  if (caseDir === undefined) throw new UsageError('export needs the case folder to read.');
  if (extra.length > 0) throw new UsageError(`export reads one case; unexpected ${extra[0]}.`);
  if (values.out === undefined) throw new UsageError('export needs --out (a file, a folder for guardduty-s3, or -).');
  const output = outputArgs(values);
  return {
    caseDir,
    ...output,
    out: values.out,
    overwrite: values.overwrite ?? false,
    findingIds: values.finding ?? [],
  };
}

function outputArgs(values: { out?: string; format?: string; 'include-archived'?: boolean }): OutputArgs {
  const format = exportFormat(values.format, values.out);
  if (values.out === '-' && !STREAMABLE.has(format)) {
    throw new UsageError(`--format ${values.format} writes several files and cannot go to stdout; give --out a path.`);
  }
  return { out: values.out, format, includeArchived: values['include-archived'] ?? false };
}

/** The export format for --format, or guessed from the --out file name. */
export function exportFormat(format: string | undefined, out: string | undefined): ExportFormat {
  if (format !== undefined) {
    const resolved = ALIASES[format] ?? (EXPORT_FORMATS as readonly string[]).find((f) => f === format);
    if (!resolved) throw new UsageError(`--format must be one of ${CLI_FORMATS.join(', ')}; not ${format}.`);
    return resolved as ExportFormat;
  }
  const name = (out ?? '').toLowerCase();
  if (name.endsWith('.jsonl')) return 'guardduty-jsonl';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.html') || name.endsWith('.htm')) return 'html';
  if (name.endsWith('.sh')) return 'playbook';
  return 'guardduty-json';
}

export interface ServeArgs {
  paths: string[];
  port: number;
  workspace: string | undefined;
  threatLists: string[];
  trustedLists: string[];
  open: boolean;
}

export function parseServeArgs(argv: string[]): ServeArgs | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      'threat-list': { type: 'string', multiple: true },
      'trusted-list': { type: 'string', multiple: true },
      open: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not ${values.port}.`);
  }
  return {
    paths: positionals,
    port,
    workspace: values.workspace,
    threatLists: values['threat-list'] ?? [],
    trustedLists: values['trusted-list'] ?? [],
    open: values.open ?? false,
  };
}

export interface IntelUpdateArgs {
  /** The feeds file; the bundled resources/intel/feeds.json when unset. */
  feeds: string | undefined;
  /** Where the copies are kept; the engine's default folder when unset. */
  dir: string | undefined;
  timeoutSeconds: number | undefined;
}

/** `loupe intel update [--feeds FILE] [--dir DIR] [--timeout S]`; null = help. */
export function parseIntelArgs(argv: string[]): IntelUpdateArgs | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      feeds: { type: 'string' },
      dir: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const [action, ...extra] = positionals;
  if (action === undefined) return null;
  if (action !== 'update') throw new UsageError(`intel knows one action, update; not "${action}".`);
  if (extra.length > 0) throw new UsageError(`intel update takes no paths; unexpected ${extra[0]}.`);
  const timeoutText = values.timeout;
  const timeoutSeconds = timeoutText === undefined ? undefined : Number(timeoutText);
  if (
    timeoutSeconds !== undefined &&
    !(Number.isInteger(timeoutSeconds) && timeoutSeconds >= 1 && timeoutSeconds <= 3600)
  ) {
    throw new UsageError(`--timeout takes whole seconds from 1 to 3600, not "${timeoutText}".`);
  }
  return { feeds: values.feeds, dir: values.dir, timeoutSeconds };
}
