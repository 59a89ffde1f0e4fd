/**
 * Command help, kept apart from the commands so `--help` and usage errors answer without
 * loading the engine (DuckDB and the loaders take seconds to import).
 */
const FORMATS = `json (GuardDuty JSON array, default), jsonl, guardduty-s3 (AWSLogs/ folder of
                        .jsonl.gz, as GuardDuty exports to S3), eventbridge, asff, ocsf, csv,
                        timesketch, html (case report), playbook (remediation script)`;

export const SCAN_HELP = `Usage: loupe scan <path>... [options]

Loads AWS logs (CloudTrail, VPC Flow Logs, Route 53 Resolver query logs: files, folders,
globs or s3://bucket/prefix locations), runs every detection, prints a summary and writes the
findings.

Options:
  --threat-list FILE    a threat list to match against (repeatable)
  --trusted-list FILE   a trusted list whose addresses never raise findings (repeatable)
                        (a list may start with "# category: tor-exit" and "# accounts: ID, ..."
                        to say what it is and which accounts it applies to)
  --no-feeds            do not load the feeds downloaded by 'loupe intel update'
                        (by default every feed copy there is loaded with its category)
  --feeds-dir DIR       where those feeds are (default: $LOUPE_CONFIG_DIR/intel, or ~/.loupe/intel)
  --out FILE            write the findings to FILE ('-' for stdout; a folder for guardduty-s3)
  --format FORMAT       ${FORMATS};
                        guessed from --out (.jsonl, .csv, .html, .sh) when not given
  --include-archived    also write findings archived by suppression rules or by hand
  --workspace DIR       keep the case in DIR (a .loupe case folder; created when missing) and
                        add to it when it exists: files already loaded are skipped
  --suppress FILE       suppression rules: GuardDuty filter JSON (Name, Action ARCHIVE,
                        FindingCriteria.Criterion), one filter or a list; matches are archived
  --notify FILE         notification rules JSON: send matching findings of this scan as
                        EventBridge events to a command (stdin) or a webhook
  --rules DIR           detection rules folder (default: the bundled rules)
  --flow-format FORMAT  the custom VPC flow log format string, when files have no header
  --learning-days N     days of each source that only build behaviour baselines and raise
                        no anomaly findings (default: 7, or the first quarter of a shorter case)
  -h, --help            show this help

S3 (for s3:// paths; credentials from the AWS SDK's usual chain):
  --profile NAME        a profile from ~/.aws/config
  --region REGION       the bucket's region
  --endpoint URL        an S3-compatible endpoint (MinIO, Ceph...)
  --from DATE --to DATE only logs delivered in this range (ISO date or date-time, UTC)
  --account ID          only these accounts under AWSLogs/ (repeatable)
  --log-region REGION   only logs of these regions (repeatable)

Exit status: 0 when the scan ran (with or without findings), 1 when the input could not be
used (no such path, nothing loadable, unreadable rules file), 2 for a bad command line.`;

export const EXPORT_HELP = `Usage: loupe export <case> --out PATH [options]

Writes the findings of a saved case (a .loupe folder made by 'scan --workspace' or the app).

Options:
  --out PATH            the file to write ('-' for stdout; a folder for guardduty-s3)
  --format FORMAT       ${FORMATS};
                        guessed from --out when not given
  --include-archived    also write archived findings
  --finding ID          only this finding (repeatable)
  --overwrite           replace PATH if it exists
  -h, --help            show this help`;

export const SERVE_HELP = `Usage: loupe serve [case-or-log-path]... [options]

Starts web mode: the Loupe UI and API on 127.0.0.1 only, behind a random per-launch token.
Prints one line, "Loupe web mode: <url>", on stdout when ready; open that URL in a browser.
A case folder (<name>.loupe) is reopened as that case; other paths are loaded as evidence.

Options:
  --port N              listen on port N (default: a random free port)
  --workspace DIR       keep the case in DIR (default: a temp case, removed on exit)
  --threat-list FILE    a threat list to match against (repeatable)
  --trusted-list FILE   a trusted list (repeatable)
  --open                also open the URL with the browser named in $BROWSER
  -h, --help            show this help

Stops on Ctrl-C (SIGINT) or SIGTERM.`;

export const INTEL_HELP = `Usage: loupe intel update [options]

Downloads public threat feeds (Tor exit nodes, botnet C&C servers, compromised hosts...) named in
a feeds file and keeps each with its fetch date and SHA-256. A download is used only when Loupe's
list parsers read it cleanly; an error page, a malformed or empty feed is refused and the copy
from the last good update stays in use. 'loupe scan' loads the kept copies (with their
categories) unless given --no-feeds. Nothing else in Loupe goes online for intelligence.

Options:
  --feeds FILE          the feeds to fetch: JSON {"feeds": [{"name", "url", "category", "kind",
                        "format"}]} (default: $LOUPE_FEEDS_FILE, or resources/intel/feeds.json)
  --dir DIR             where to keep the copies (default: $LOUPE_CONFIG_DIR/intel, or
                        ~/.loupe/intel); index.json there lists what was fetched and when
  --timeout S           seconds allowed per download (default 60)
  -h, --help            show this help

Exit status: 0 when every feed was updated, 1 when one or more could not be (their previous
copies, if any, are still used), 2 for a bad command line.`;
