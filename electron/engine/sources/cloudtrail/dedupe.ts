import { idList } from '../loader';
import { exec, rows, type Conn } from '../sql';

/**
 * eventID dedupe after the insert, on the narrow event_uid column only. Overlapping exports
 * repeat events; a batch keeps the first copy by (file_id, position) and none that the case
 * already held. The common case (no repeats) costs one count over the key column.
 */
const DUPS = 'ingest_dup_rows';

export async function dedupeCloudTrail(conn: Conn, fileIds: number[]): Promise<Map<number, number>> {
  const removed = new Map<number, number>();
  if (fileIds.length === 0) return removed;
  const params = { lo: Math.min(...fileIds), hi: Math.max(...fileIds), ids: JSON.stringify(fileIds) };
  const fresh = `file_id BETWEEN $lo AND $hi AND file_id IN ${idList('ids')}`;
  const [check] = await rows<{ within: number; across: number }>(
    conn,
    `WITH b AS (SELECT event_uid FROM cloudtrail WHERE ${fresh})
     SELECT (SELECT count(*) - count(DISTINCT event_uid) FROM b)::INTEGER AS within,
            (SELECT count(*) FROM cloudtrail c
              WHERE NOT (c.file_id BETWEEN $lo AND $hi AND c.file_id IN ${idList('ids')})
                AND c.event_uid IN (SELECT event_uid FROM b))::INTEGER AS across`,
    params,
  );
  if (!check || (Number(check.within) === 0 && Number(check.across) === 0)) return removed;

  // Rows already in the case sort first (fresh = false), so only this batch's rows are dropped.
  await exec(
    conn,
    `CREATE OR REPLACE TEMP TABLE ${DUPS} AS
     SELECT rid, file_id FROM (
       SELECT rowid AS rid, file_id, fresh,
              row_number() OVER (PARTITION BY event_uid ORDER BY fresh, file_id, position) AS rn
       FROM (SELECT rowid, event_uid, file_id, position, (${fresh}) AS fresh FROM cloudtrail
             WHERE event_uid IN (
               SELECT event_uid FROM cloudtrail
               WHERE event_uid IN (SELECT event_uid FROM cloudtrail WHERE ${fresh})
               GROUP BY event_uid HAVING count(*) > 1))
     ) WHERE rn > 1 AND fresh`,
    params,
  );
  try {
    await exec(conn, `DELETE FROM cloudtrail WHERE rowid IN (SELECT rid FROM ${DUPS})`);
    const counts = await rows<{ file_id: number; n: number }>(
      conn,
      `SELECT file_id, count(*)::INTEGER AS n FROM ${DUPS} GROUP BY file_id`,
    );
    for (const r of counts) removed.set(Number(r.file_id), Number(r.n));
  } finally {
    // After a failed statement the transaction is aborted and refuses even this; the rollback drops it.
    await conn.run(`DROP TABLE IF EXISTS ${DUPS}`).catch(() => undefined);
  }
  return removed;
}
