/**
 * Command help, kept apart from the commands so `--help` and usage errors answer without
 * loading the engine (DuckDB and the loaders take seconds to import).
 */
export const SCAN_HELP = `Usage: loupe scan <path>... [options]

Loads AWS logs (CloudTrail, VPC Flow Logs, Route 53 Resolver query logs: files, folders,
globs or s3:// prefixes), runs every detection, prints a summary and writes the findings.

Options:
  --threat-list FILE    a threat list to match against (repeatable)
  --trusted-list FILE   a trusted list whose addresses never raise findings (repeatable)
  --out FILE            write the findings (GuardDuty JSON) to FILE; '-' for stdout
  --format json|jsonl   a JSON array (default) or one finding per line
  --workspace DIR       keep the case database in DIR (default: a temp folder, removed after)
  --rules DIR           detection rules folder (default: the bundled rules)
  --flow-format FORMAT  the custom VPC flow log format string, when files have no header
  -h, --help            show this help

Exit status: 0 when the scan ran (with or without findings), 1 when the input could not be
used (no such path, nothing loadable), 2 for a bad command line.`;

export const SERVE_HELP = `Usage: loupe serve [case-or-log-path]... [options]

Starts web mode: the Loupe UI and API on 127.0.0.1 only, behind a random per-launch token.
Prints one line, "Loupe web mode: <url>", on stdout when ready; open that URL in a browser.
A path holding a case.duckdb is reopened as that case; other paths are loaded as evidence.

Options:
  --port N              listen on port N (default: a random free port)
  --workspace DIR       keep the case database in DIR (default: a temp folder, removed on exit)
  --threat-list FILE    a threat list to match against (repeatable)
  --trusted-list FILE   a trusted list (repeatable)
  --open                also open the URL with the browser named in $BROWSER
  -h, --help            show this help

Stops on Ctrl-C (SIGINT) or SIGTERM.`;
