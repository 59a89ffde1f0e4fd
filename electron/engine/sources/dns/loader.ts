import { cleanStats, countPerFile, stageStats, type LoadFile, type Loader, type StageStats } from '../loader';
import { BATCH_LINE_BYTES, exec, MAX_LINE_BYTES, readLines, type Conn, type Params } from '../sql';

/**
 * Route 53 Resolver query logs: JSON lines (the last line often has no newline), read as lines
 * (one read per file, in one statement) so each record keeps its line number, and its text,
 * exactly as written, becomes `raw`. Parsed once with json_transform.
 * - `insert` (fast, strict): a line that is not a JSON object fails the statement, and the
 *   caller narrows the batch down to that file.
 * - `insertTolerant` (one file): lines are checked first; a bad line is counted and skipped.
 */
const STAGE = 'ingest_stage_dns';

const RECORD_SHAPE = JSON.stringify({
  version: 'VARCHAR',
  account_id: 'VARCHAR',
  region: 'VARCHAR',
  vpc_id: 'VARCHAR',
  query_timestamp: 'VARCHAR',
  query_name: 'VARCHAR',
  query_type: 'VARCHAR',
  query_class: 'VARCHAR',
  rcode: 'VARCHAR',
  answers: 'JSON',
  srcaddr: 'VARCHAR',
  srcport: 'VARCHAR',
  transport: 'VARCHAR',
  srcids: 'JSON',
  firewall_rule_action: 'VARCHAR',
  firewall_rule_group_id: 'VARCHAR',
  firewall_domain_list_id: 'VARCHAR',
  firewall_protection: 'VARCHAR',
});

/** INSERT of (file_id, line, text, r = the parsed record) rows from `source`. */
function insertSql(source: string): string {
  return `INSERT INTO dns (event_uid, query_time, version, account_id, region, vpc_id, query_name, query_type, query_class, rcode,
                    answers, srcaddr, srcport, transport, srcids, instance_id, resolver_endpoint_id,
                    firewall_rule_action, firewall_rule_group_id, firewall_domain_list_id, firewall_protection, raw, file_id, position)
   SELECT file_id || ':' || line, TRY_CAST(r.query_timestamp AS TIMESTAMPTZ), r.version, r.account_id, r.region, r.vpc_id,
          r.query_name, r.query_type, r.query_class, r.rcode, r.answers, r.srcaddr, TRY_CAST(r.srcport AS INTEGER), r.transport,
          r.srcids, (r.srcids ->> 'instance'), (r.srcids ->> 'resolver_endpoint'),
          r.firewall_rule_action, r.firewall_rule_group_id, r.firewall_domain_list_id, r.firewall_protection, text, file_id, line
   FROM ${source}`;
}

function lineReads(files: LoadFile[], params: Params, maxLine: number): string {
  return files
    .map((f, i) => {
      params[`p${i}`] = f.localPath;
      params[`id${i}`] = f.fileId;
      return `SELECT $id${i}::INTEGER AS file_id, ordinality::INTEGER AS line, line AS text FROM ${readLines(`p${i}`, f.detection.compression, maxLine)}`;
    })
    .join(' UNION ALL ');
}

export const dnsLoader: Loader = {
  table: 'dns',
  // The per-file reads meet in a materialized CTE: keep a batch's lines modest.
  batchBytes: 32 * 1024 * 1024,

  async insert(conn, files) {
    const params: Params = {};
    // The reads meet in a MATERIALIZED CTE: reads feeding INSERT straight through a UNION ALL
    // each built their own partial row group (measured: several times slower).
    await exec(
      conn,
      insertSql(`(
        SELECT file_id, line, text,
          CASE WHEN starts_with(ltrim(text), '{') THEN json_transform(text, '${RECORD_SHAPE}')
               ELSE error('a line that is not a JSON object') END AS r
        FROM (WITH u AS MATERIALIZED (${lineReads(files, params, BATCH_LINE_BYTES)}) SELECT * FROM u)
        WHERE text IS NOT NULL AND trim(text) <> '')`),
      params,
    );
    const ids = files.map((f) => f.fileId);
    return cleanStats(await countPerFile(conn, 'dns', ids), ids);
  },

  async insertTolerant(conn, file) {
    return insertChecked(conn, [file]);
  },
};

async function insertChecked(conn: Conn, files: LoadFile[]): Promise<Map<number, StageStats>> {
  const params: Params = {};
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file_id INTEGER, line INTEGER, text VARCHAR, bad BOOLEAN)`);
  try {
    await exec(
      conn,
      `INSERT INTO ${STAGE}
       SELECT file_id, line, CASE WHEN ok THEN text END, NOT ok
       FROM (
         SELECT file_id, line, text, coalesce(starts_with(ltrim(text), '{') AND json_valid(text), false) AS ok
         FROM (${lineReads(files, params, MAX_LINE_BYTES)})
         WHERE text IS NOT NULL AND trim(text) <> ''
       )`,
      params,
    );
    const stats = await stageStats(conn, STAGE, 'line', 'lines that are not a JSON object');
    await exec(
      conn,
      insertSql(
        `(SELECT file_id, line, text, json_transform(text, '${RECORD_SHAPE}') AS r FROM ${STAGE} WHERE NOT bad)`,
      ),
    );
    return stats;
  } finally {
    // After a failed statement the transaction is aborted and refuses even this; the rollback drops it.
    await conn.run(`DROP TABLE IF EXISTS ${STAGE}`).catch(() => undefined);
  }
}
