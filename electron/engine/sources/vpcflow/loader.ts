import { addedPerFile, lineStatsSql, toStats, type LoadFile, type Loader } from '../loader';
import { exec, readLines, rows, type Conn, type Params } from '../sql';
import { FLOW_FIELDS, FLOW_FIELD_BY_NAME, type FlowField } from './fields';

/**
 * VPC Flow Logs, text and Parquet. Text files are read as lines (one read per file, all in one
 * statement, WITH ORDINALITY giving each file's line numbers) and split in SQL by the file's
 * own field list: the header line, the `flowFormat` option, or the default v2 format. Header
 * lines repeated inside a file are dropped; a line with the wrong number of fields is counted
 * as bad and the rest of the file loads. '-' is NULL. Explicit types throughout: the CSV
 * sniffer would read these files as one text column without a word.
 */
const STAGE = 'ingest_stage_vpcflow';
const LINES = 'ingest_lines_vpcflow';
const COLUMNS = FLOW_FIELDS.map((f) => f.column);
const SQL_TYPE: Record<FlowField['type'], string> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  text: 'VARCHAR',
  time: 'TIMESTAMPTZ',
};
/** Epoch seconds a flow record can plausibly carry (0 .. year 9999); others are NULL, not an error. */
const MAX_EPOCH = 253402300799;

export const vpcflowLoader: Loader = {
  table: 'vpcflow',

  async createStage(conn) {
    const cols = FLOW_FIELDS.map((f) => `${f.column} ${SQL_TYPE[f.type]}`).join(', ');
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file_id INTEGER, line INTEGER, bad BOOLEAN, ${cols})`);
  },

  async stage(conn, files) {
    const first = files[0];
    if (!first) return;
    if (first.detection.format === 'parquet') await stageParquet(conn, files);
    else await stageText(conn, files);
  },

  async stats(conn) {
    const found = await rows<{
      file_id: number;
      records: number;
      bad_lines: number;
      first_bad: number | null;
      last_bad: boolean | null;
    }>(conn, lineStatsSql(STAGE, 'line'));
    return toStats(found, 'wrong number of fields');
  },

  async commit(conn) {
    await exec(
      conn,
      `INSERT INTO vpcflow (event_uid, ${COLUMNS.join(', ')}, file_id, position)
       SELECT file_id || ':' || line, ${COLUMNS.join(', ')}, file_id, line FROM ${STAGE} WHERE NOT bad`,
    );
    return addedPerFile(conn, 'vpcflow', STAGE);
  },

  async dropStage(conn) {
    await conn.run(`DROP TABLE IF EXISTS ${STAGE}`);
  },
};

function typed(f: FlowField, value: string): string {
  const v = `nullif(${value}, '-')`;
  if (f.type === 'text') return v;
  if (f.type === 'time')
    return `(CASE WHEN TRY_CAST(${v} AS BIGINT) BETWEEN 0 AND ${MAX_EPOCH} THEN to_timestamp(TRY_CAST(${v} AS BIGINT)) END)`;
  return `TRY_CAST(${v} AS ${SQL_TYPE[f.type]})`;
}

function projection(
  fields: string[],
  regionParam: string,
  value: (index: number, f: FlowField) => string | null,
): string {
  return FLOW_FIELDS.map((f) => {
    const at = fields.indexOf(f.name);
    const expr = at >= 0 ? value(at, f) : null;
    const typedExpr = expr ?? `NULL::${SQL_TYPE[f.type]}`;
    // Region falls back to the one in the S3 key layout (vpcflowlogs/<region>/...).
    return `${f.column === 'region' ? `coalesce(${typedExpr}, $${regionParam})` : typedExpr} AS ${f.column}`;
  }).join(',\n');
}

/**
 * The per-file reads only produce (file, line, fields); one shared projection then picks each
 * column by the file's own field index (bound as data), so the plan stays small however many
 * files are in the statement.
 */
async function stageText(conn: Conn, files: LoadFile[]): Promise<void> {
  const params: Params = {};
  const map = files.map((file) => {
    const fields = file.detection.flowFields ?? [];
    return {
      id: file.fileId,
      n: fields.length,
      h: file.detection.flowHeader ? fields.join(' ') : '',
      region: file.layout.region,
      // 1-based position of each known field in this file's records, 0 when absent.
      idx: FLOW_FIELDS.map((f) => fields.indexOf(f.name) + 1),
    };
  });
  const mapJson = JSON.stringify(map);
  const parts = files.map((file, i) => {
    params[`p${i}`] = file.localPath;
    params[`id${i}`] = file.fileId;
    return `SELECT $id${i}::INTEGER AS file_id, ordinality::INTEGER AS line, string_split(trim(line), ' ') AS f, lower(trim(line)) AS t
      FROM ${readLines(`p${i}`, file.detection.compression)} WHERE line IS NOT NULL AND trim(line) <> ''`;
  });
  const cols = FLOW_FIELDS.map((f, k) => {
    const value = `(CASE WHEN m.idx[${k + 1}] > 0 THEN l.f[m.idx[${k + 1}]] END)`;
    const expr = typed(f, value);
    // Region falls back to the one in the S3 key layout (vpcflowlogs/<region>/...).
    return `${f.column === 'region' ? `coalesce(${expr}, m.region)` : expr} AS ${f.column}`;
  }).join(',\n');
  // Two steps: the reads alone (where a bad file fails), then the projection over a plain table.
  // One statement with both made DuckDB plan the projection once per read (seconds per batch).
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${LINES} (file_id INTEGER, line INTEGER, f VARCHAR[], t VARCHAR)`);
  try {
    await exec(conn, `INSERT INTO ${LINES} ${parts.join('\nUNION ALL\n')}`, params);
    await exec(
      conn,
      `INSERT INTO ${STAGE}
       SELECT l.file_id, l.line, len(l.f) <> m.n AS bad, ${cols}
       FROM ${LINES} l
       JOIN (SELECT unnest(from_json($map, '[{"id":"INTEGER","n":"INTEGER","h":"VARCHAR","region":"VARCHAR","idx":["INTEGER"]}]'), recursive := true)) m
         ON m.id = l.file_id
       WHERE l.t <> m.h`,
      { map: mapJson },
    );
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${LINES}`);
  }
}

async function stageParquet(conn: Conn, files: LoadFile[]): Promise<void> {
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
    const cols = projection(fields, `r${i}`, (_at, f) => {
      const ident = `"${f.name.replace(/-/g, '_')}"`;
      if (f.type === 'time')
        return `(CASE WHEN TRY_CAST(${ident} AS BIGINT) BETWEEN 0 AND ${MAX_EPOCH} THEN to_timestamp(TRY_CAST(${ident} AS BIGINT)) END)`;
      if (f.type === 'text') return `nullif(CAST(${ident} AS VARCHAR), '-')`;
      return `TRY_CAST(${ident} AS ${SQL_TYPE[f.type]})`;
    });
    parts.push(`SELECT $id${i}::INTEGER AS file_id, (file_row_number + 1)::INTEGER AS line, false AS bad, ${cols}
      FROM read_parquet($p${i}, file_row_number = true)`);
  }
  await exec(conn, `INSERT INTO ${STAGE} ${parts.join('\nUNION ALL\n')}`, params);
}
