import type { Database } from '../db/database';

export type FindingsFormat = 'json' | 'jsonl';

const BATCH = 1000;

/**
 * Streams every finding's GuardDuty JSON to `write`, most severe first: a JSON array, or one
 * finding per line. Batched so a case with many findings never sits in memory as one string.
 * Returns how many findings were written.
 */
export async function writeFindings(
  db: Database,
  format: FindingsFormat,
  write: (chunk: string) => Promise<void> | void,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  let written = 0;
  if (format === 'json') await write('[');
  for (let offset = 0; ; offset += BATCH) {
    const rows = await db.all<{ finding: string }>(
      `SELECT CAST(finding AS VARCHAR) AS finding FROM findings ORDER BY severity DESC, id LIMIT $limit OFFSET $offset`,
      { limit: BATCH, offset },
      { signal: options.signal, timeoutMs: 60_000 },
    );
    for (const r of rows) {
      if (format === 'json') await write(`${written === 0 ? '\n' : ',\n'}${r.finding}`);
      else await write(`${r.finding}\n`);
      written += 1;
    }
    if (rows.length < BATCH) break;
  }
  if (format === 'json') await write(written === 0 ? ']\n' : '\n]\n');
  return written;
}
