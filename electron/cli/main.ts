import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, missingPaths, printError, stdio, UsageError, type Output } from './common';
import { parseExportArgs, parseIntelArgs, parseScanArgs, parseServeArgs } from './args';
import { EXPORT_HELP, INTEL_HELP, SCAN_HELP, SERVE_HELP } from './help';

/**
 * `loupe <command>`: scan, export and serve; ingest and detect are reserved names so scripts
 * written now keep their meaning later.
 */
const HELP = `Usage: loupe <command> [options]

Commands:
  scan <path>...     load AWS logs (local or s3://), run the detections, print a summary,
                     write findings
  export <case>      write the findings of a saved case in any export format
  serve [path]...    start web mode on 127.0.0.1 and print its URL
  intel update       download the public threat feeds scans use (Tor exits, C&C servers...)

Run 'loupe <command> --help' for a command's options.`;

// Commands load on demand: the engine is only imported when a command actually runs.
const COMMANDS: Record<string, { run: (argv: string[], io: Output) => Promise<number> }> = {
  scan: {
    run: async (argv, io) => {
      const args = parseScanArgs(argv);
      if (!args) return help(io, SCAN_HELP);
      if (reportMissing(io, 'scan', [...args.paths, ...args.threatLists, ...args.trustedLists])) return EXIT_FAILED;
      return (await import('./scan')).runScan(args, io);
    },
  },
  export: {
    run: async (argv, io) => {
      const args = parseExportArgs(argv);
      if (!args) return help(io, EXPORT_HELP);
      // No missing-path check: `acme` names the case `acme.loupe` too (runExport finds it).
      return (await import('./export')).runExport(args, io);
    },
  },
  intel: {
    run: async (argv, io) => {
      const args = parseIntelArgs(argv);
      if (!args) return help(io, INTEL_HELP);
      if (args.feeds !== undefined && reportMissing(io, 'intel', [args.feeds])) return EXIT_FAILED;
      return (await import('./intel')).runIntelUpdate(args, io);
    },
  },
  serve: {
    run: async (argv, io) => {
      const args = parseServeArgs(argv);
      if (!args) return help(io, SERVE_HELP);
      if (reportMissing(io, 'serve', [...args.paths, ...args.threatLists, ...args.trustedLists])) return EXIT_FAILED;
      return (await import('./serve')).runServe(args, io);
    },
  },
};
const RESERVED = ['ingest', 'detect'];

function help(io: Output, text: string): number {
  io.out(text);
  return EXIT_OK;
}

/** Checked before the engine loads, so a mistyped path is reported at once. */
function reportMissing(io: Output, command: string, paths: string[]): boolean {
  const missing = missingPaths(paths);
  if (missing.length > 0) io.err(`loupe ${command}: no such file or folder: ${missing.join(', ')}`);
  return missing.length > 0;
}

export async function main(argv: string[], io: Output = stdio): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.err(
      RESERVED.includes(command)
        ? `loupe ${command}: not available yet; use 'loupe scan' (it loads, detects and exports in one go).`
        : `loupe: unknown command '${command}'.\n\n${HELP}`,
    );
    return EXIT_USAGE;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`loupe ${command}: ${(error as Error).message}`);
      io.err(`Run 'loupe ${command} --help' for usage.`);
      return EXIT_USAGE;
    }
    printError(io, command, error);
    return EXIT_FAILED;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

// Run when executed directly (tsx electron/cli/main.ts ...), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.[cm]?[jt]s$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      printError(stdio, 'loupe', error);
      process.exitCode = EXIT_FAILED;
    },
  );
}
