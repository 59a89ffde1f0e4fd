import { parseArgs } from 'node:util';
import { UsageError } from './common';

/**
 * Command lines parsed and checked before anything heavy is imported, so help and usage
 * errors answer at once. `null` means "--help was asked for".
 */
export interface ScanArgs {
  paths: string[];
  threatLists: string[];
  trustedLists: string[];
  out: string | undefined;
  format: 'json' | 'jsonl';
  workspace: string | undefined;
  rules: string | undefined;
  flowFormat: string | undefined;
}

export function parseScanArgs(argv: string[]): ScanArgs | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'threat-list': { type: 'string', multiple: true },
      'trusted-list': { type: 'string', multiple: true },
      out: { type: 'string' },
      format: { type: 'string' },
      workspace: { type: 'string' },
      rules: { type: 'string' },
      'flow-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError('scan needs at least one path to read.');
  const format = values.format ?? (values.out?.endsWith('.jsonl') ? 'jsonl' : 'json');
  if (format !== 'json' && format !== 'jsonl') throw new UsageError(`--format must be json or jsonl, not ${format}.`);
  return {
    paths: positionals,
    threatLists: values['threat-list'] ?? [],
    trustedLists: values['trusted-list'] ?? [],
    out: values.out,
    format,
    workspace: values.workspace,
    rules: values.rules,
    flowFormat: values['flow-format'],
  };
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
