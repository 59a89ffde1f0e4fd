/**
 * DuckDB's error text, in plain words about one file. The loaders bisect a failing batch down
 * to one file and then ask this for the reason recorded in `files.reason`.
 */
export function describeLoadError(error: unknown, compression: 'gzip' | 'none'): string {
  const raw = error instanceof Error ? error.message : String(error);
  const first = (raw.split('\n')[0] ?? raw).replace(/^[A-Za-z ]+Error: /, '').replace(/ in file "[^"]*"/, '');
  const json = /Malformed JSON.*?at byte (\d+)(?: in (?:line|record\/value) (\d+))?: (.+?)\.?\s*$/.exec(first);
  if (json) {
    const [, byte, , what] = json;
    if (/unexpected end of data/i.test(what ?? '')) {
      return compression === 'gzip'
        ? `truncated: the content ends in the middle of a JSON document (at byte ${byte} after gunzip); the gzip file was probably cut short`
        : `truncated JSON: the file ends in the middle of a JSON document (at byte ${byte})`;
    }
    return `invalid JSON at byte ${byte}${compression === 'gzip' ? ' after gunzip' : ''}: ${what}`;
  }
  if (/maximum_object_size|maximum object size/i.test(raw))
    return 'a single JSON document is larger than 512 MiB; split the export into smaller files';
  if (/gzip|zlib|inflate|decompress/i.test(raw)) return `corrupt gzip: ${first}`;
  if (/Maximum line size|max_line_size/i.test(raw)) return 'a line is longer than 64 MiB; not a log line';
  if (/UTF-8|unicode|encoding/i.test(raw)) return `not UTF-8 text: ${first}`;
  if (/No files found|No such file|Cannot open file/i.test(raw))
    return 'the file disappeared or cannot be opened while loading';
  if (/parquet/i.test(raw)) return `unreadable Parquet: ${first}`;
  return first.slice(0, 300);
}
