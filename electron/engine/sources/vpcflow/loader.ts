import { cleanStats, countPerFile, stageStats, type LoadFile, type Loader, type StageStats } from '../loader';
import {
  BATCH_LINE_BYTES,
  csvCompression,
  exec,
  MAX_LINE_BYTES,
  readLines,
  rows,
  type Conn,
  type Params,
} from '../sql';
import { EXTRA_FLOW_FIELDS, FLOW_FIELD_BY_NAME, FLOW_FIELDS, type FlowField } from './fields';

/**
 * VPC Flow Logs, text and Parquet, straight into `vpcflow`. '-' is NULL. Explicit types
 * throughout: the CSV sniffer would read these files as one text column without a word.
 *
 * Text, fast path (`insert`): DuckDB's CSV reader with the file's own typed columns, one read
 * per file WITH ORDINALITY (line numbers), strict: a line with the wrong number of fields, a
 * value that does not fit its type or a header repeated inside the file makes the statement
 * fail, and the caller narrows the batch down to that file. A batch shares one field list.
 * Text, tolerant path (`insertTolerant`, one file): lines read as text and split in SQL; a bad
 * line is counted and skipped, repeated headers dropped, the rest loads. Also used up front for
 * files whose head shows blank lines: the CSV reader skips those without a word, which would
 * shift every later line number.
 */
const LINES = 'ingest_lines_vpcflow';
/** The fields with a column of their own, in table order; the others go into `extra`. */
const COLUMN_FIELDS = FLOW_FIELDS.filter((f) => !f.extra);
const COLUMNS = [...COLUMN_FIELDS.map((f) => f.column), 'extra'];
const SQL_TYPE: Record<FlowField['type'], string> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  text: 'VARCHAR',
  time: 'TIMESTAMPTZ',
};
/** How the CSV reader types a field; times are epoch seconds, converted after the read. */
const READ_TYPE: Record<FlowField['type'], string> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  text: 'VARCHAR',
  time: 'BIGINT',
};
/** Epoch seconds a flow record can plausibly carry (0 .. year 9999); others are NULL, not an error. */
const MAX_EPOCH = 253402300799;
const INSERT_HEAD = `INSERT INTO vpcflow (event_uid, ${COLUMNS.join(', ')}, file_id, position)`;

export const vpcflowLoader: Loader = {
  table: 'vpcflow',
  // The per-file reads meet in a materialized CTE (see insertText): keep a batch's rows modest.
  batchBytes: 32 * 1024 * 1024,

  async insert(conn, files) {
    const first = files[0];
    if (!first) return new Map();
    if (first.detection.format === 'parquet') {
      await insertParquet(conn, files);
      const ids = files.map((f) => f.fileId);
      return cleanStats(await countPerFile(conn, 'vpcflow', ids), ids);
    }
    const irregular = files.filter((f) => f.detection.blankLines === true);
    const regular = files.filter((f) => f.detection.blankLines !== true);
    const stats = new Map<number, StageStats>();
    if (regular.length > 0) {
      await insertText(conn, regular);
      const ids = regular.map((f) => f.fileId);
      for (const [id, s] of cleanStats(await countPerFile(conn, 'vpcflow', ids), ids)) stats.set(id, s);
    }
    if (irregular.length > 0) for (const [id, s] of await insertLines(conn, irregular)) stats.set(id, s);
    return stats;
  },

  async insertTolerant(conn, file) {
    return insertLines(conn, [file]);
  },
};

function timeExpr(value: string): string {
  return `(CASE WHEN ${value} BETWEEN 0 AND ${MAX_EPOCH} THEN to_timestamp(${value}) END)`;
}

/**
 * The SELECT expressions for COLUMNS, from each field's typed value (null: the field is not in
 * the file). `extra` is a JSON object of the extra fields that have a value ('-' leaves a key
 * out), or NULL when none has: the default format's rows store nothing there.
 */
function projection(valueOf: (f: FlowField) => string | null, layoutRegion: string): string[] {
  const cols = COLUMN_FIELDS.map((f) => {
    const value = valueOf(f);
    // Region falls back to the one in the S3 key layout (vpcflowlogs/<region>/...).
    if (f.column === 'region') return value === null ? layoutRegion : `coalesce(${value}, ${layoutRegion})`;
    return value ?? `NULL::${SQL_TYPE[f.type]}`;
  });
  const extras = EXTRA_FLOW_FIELDS.flatMap((f) => {
    const value = valueOf(f);
    return value === null ? [] : [{ key: f.column, value }];
  });
  if (extras.length === 0) return [...cols, 'NULL::JSON'];
  const allNull = extras.map((e) => `${e.value} IS NULL`).join(' AND ');
  const object = extras.map((e) => `'${e.key}', ${e.value}`).join(', ');
  return [...cols, `(CASE WHEN ${allNull} THEN NULL::JSON ELSE json_merge_patch('{}', json_object(${object})) END)`];
}

/**
 * One typed read per file, all in one statement. The reads meet in a MATERIALIZED CTE: a
 * UNION ALL of reads feeding INSERT directly gave every read its own partial row group and
 * cost three times the read (measured); the CTE collects them cheaply and the insert then
 * runs on all threads. Conversions happen once, in the outer SELECT, so the plan stays small.
 */
async function insertText(conn: Conn, files: LoadFile[]): Promise<void> {
  const fields = (files[0]?.detection.flowFields ?? []).map((name) => FLOW_FIELD_BY_NAME.get(name));
  if (fields.length === 0 || fields.some((f) => f === undefined))
    throw new Error('flow log without a known field list');
  const known = fields as FlowField[];
  const spec = known.map((f) => `'${f.column}': '${READ_TYPE[f.type]}'`).join(', ');
  const params: Params = {};
  const parts = files.map((file, i) => {
    if ((file.detection.flowFields ?? []).join(' ') !== known.map((f) => f.name).join(' '))
      throw new Error('a flow batch mixes field lists');
    params[`p${i}`] = file.localPath;
    params[`id${i}`] = file.fileId;
    params[`r${i}`] = file.layout.region;
    const header = file.detection.flowHeader === true;
    return `SELECT $id${i}::INTEGER AS file_id, (ordinality + ${header ? 1 : 0})::INTEGER AS line, $r${i}::VARCHAR AS layout_region,
        * EXCLUDE (ordinality)
      FROM read_csv($p${i}, columns = {${spec}}, delim = ' ', header = ${header}, auto_detect = false, nullstr = '-',
                    quote = '', escape = '', strict_mode = true, null_padding = false, max_line_size = ${BATCH_LINE_BYTES},
                    compression = ${csvCompression(file.detection.compression)}) WITH ORDINALITY`;
  });
  const present = new Set(known.map((f) => f.column));
  const cols = projection((f) => {
    if (!present.has(f.column)) return null;
    return f.type === 'time' ? timeExpr(f.column) : f.column;
  }, 'layout_region').join(', ');
  // All-text first field: a header line repeated inside the file would read as a record.
  const lead = known[0] as FlowField;
  let guard = '';
  if (lead.type === 'text') {
    params['lead'] = lead.name;
    guard = `WHERE (lower(${lead.column}) IS DISTINCT FROM $lead OR error('a header line inside the file'))`;
  }
  await exec(
    conn,
    `${INSERT_HEAD}
     WITH u AS MATERIALIZED (${parts.join('\nUNION ALL\n')})
     SELECT file_id || ':' || line, ${cols}, file_id, line FROM u ${guard}`,
    params,
  );
}

function typedText(f: FlowField, value: string): string {
  const v = `nullif(${value}, '-')`;
  if (f.type === 'text') return v;
  if (f.type === 'time') return timeExpr(`TRY_CAST(${v} AS BIGINT)`);
  return `TRY_CAST(${v} AS ${SQL_TYPE[f.type]})`;
}

/**
 * The tolerant path: lines as text (blank lines come back as NULL rows, so ordinality stays the
 * line number), split in SQL, each file's field list mapped to columns by index (bound as data).
 * Two statements: the reads alone, then the projection over a plain table (one statement
 * with both made DuckDB plan the projection once per read).
 */
async function insertLines(conn: Conn, files: LoadFile[]): Promise<Map<number, StageStats>> {
  const params: Params = {};
  const map = JSON.stringify(
    files.map((file) => {
      const fields = file.detection.flowFields ?? [];
      return {
        id: file.fileId,
        n: fields.length,
        h: file.detection.flowHeader ? fields.join(' ') : '',
        region: file.layout.region,
        // 1-based position of each known field in this file's records, 0 when absent.
        idx: FLOW_FIELDS.map((f) => fields.indexOf(f.name) + 1),
      };
    }),
  );
  const mapSql = `(SELECT unnest(from_json($map, '[{"id":"INTEGER","n":"INTEGER","h":"VARCHAR","region":"VARCHAR","idx":["INTEGER"]}]'), recursive := true))`;
  const parts = files.map((file, i) => {
    params[`p${i}`] = file.localPath;
    params[`id${i}`] = file.fileId;
    return `SELECT $id${i}::INTEGER AS file_id, ordinality::INTEGER AS line, string_split(trim(line), ' ') AS f, lower(trim(line)) AS t
      FROM ${readLines(`p${i}`, file.detection.compression, MAX_LINE_BYTES)} WHERE line IS NOT NULL AND trim(line) <> ''`;
  });
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${LINES} (file_id INTEGER, line INTEGER, f VARCHAR[], bad BOOLEAN)`);
  try {
    await exec(
      conn,
      `INSERT INTO ${LINES}
       WITH u AS MATERIALIZED (${parts.join('\nUNION ALL\n')})
       SELECT u.file_id, u.line, u.f, len(u.f) <> m.n FROM u JOIN ${mapSql} m ON m.id = u.file_id WHERE u.t <> m.h`,
      { ...params, map },
    );
    const stats = await stageStats(conn, LINES, 'line', 'wrong number of fields');
    // Every field may be in some file of the batch: m.idx says where, per file (0 = absent).
    const cols = projection((f) => {
      const k = FLOW_FIELDS.indexOf(f) + 1;
      return typedText(f, `(CASE WHEN m.idx[${k}] > 0 THEN l.f[m.idx[${k}]] END)`);
    }, 'm.region').join(',\n');
    await exec(
      conn,
      `${INSERT_HEAD}
       SELECT l.file_id || ':' || l.line, ${cols}, l.file_id, l.line
       FROM ${LINES} l JOIN ${mapSql} m ON m.id = l.file_id
       WHERE NOT l.bad`,
      { map },
    );
    return stats;
  } finally {
    // After a failed statement the transaction is aborted and refuses even this; the rollback drops it.
    await conn.run(`DROP TABLE IF EXISTS ${LINES}`).catch(() => undefined);
  }
}

async function insertParquet(conn: Conn, files: LoadFile[]): Promise<void> {
  const params: Params = {};
  const parts: string[] = [];
  for (const [i, file] of files.entries()) {
    params[`p${i}`] = file.localPath;
    params[`id${i}`] = file.fileId;
    params[`r${i}`] = file.layout.region;
    const present = await rows<{ name: string }>(
      conn,
      `SELECT name FROM parquet_schema($p) WHERE num_children IS NULL OR num_children = 0`,
      { p: file.localPath },
    );
    // Only names from the field list reach SQL: a column is used if its name is one of ours.
    const fields = present
      .map((c) => FLOW_FIELD_BY_NAME.get(c.name.toLowerCase().replace(/_/g, '-'))?.name)
      .filter((n): n is string => n !== undefined);
    if (!fields.includes('srcaddr') || !fields.includes('dstaddr')) {
      throw new Error(
        `Parquet file without the flow log columns srcaddr and dstaddr (has ${present
          .slice(0, 6)
          .map((c) => c.name)
          .join(', ')})`,
      );
    }
    const cols = projection((f) => {
      if (!fields.includes(f.name)) return null;
      const ident = `"${f.name.replace(/-/g, '_')}"`;
      if (f.type === 'time') return timeExpr(`TRY_CAST(${ident} AS BIGINT)`);
      if (f.type === 'text') return `nullif(CAST(${ident} AS VARCHAR), '-')`;
      return `TRY_CAST(${ident} AS ${SQL_TYPE[f.type]})`;
    }, `$r${i}::VARCHAR`)
      .map((expr, k) => `${expr} AS ${COLUMNS[k] ?? ''}`)
      .join(',\n');
    parts.push(`SELECT $id${i}::INTEGER AS file_id, (file_row_number + 1)::INTEGER AS line, ${cols}
      FROM read_parquet($p${i}, file_row_number = true)`);
  }
  await exec(
    conn,
    `${INSERT_HEAD}
     WITH u AS MATERIALIZED (${parts.join('\nUNION ALL\n')})
     SELECT file_id || ':' || line, ${COLUMNS.join(', ')}, file_id, line FROM u`,
    params,
  );
}
