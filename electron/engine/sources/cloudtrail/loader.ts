import { addedPerFile, lineStatsSql, toStats, type LoadFile, type Loader, type StageStats } from '../loader';
import {
  exec,
  fileMap,
  jsonCompression,
  mapParams,
  MAX_LINE_BYTES,
  MAX_OBJECT_BYTES,
  pathList,
  readLines,
  rows,
  type Conn,
  type Params,
} from '../sql';
import { csvRecordExpr } from './csv';
import { commitSql } from './projection';

/**
 * CloudTrail in every shape it is exported in, staged as (file_id, position, rec JSON, bad):
 * - records:  many files in ONE read_json with an explicit schema ({Records: JSON[]}); position
 *             is the index in Records. This is S3 delivery and the fast path.
 * - document: read_json_objects; arrays, pretty-printed Records, single events and
 *             lookup-events output (whose CloudTrailEvent strings are parsed) all become records.
 * - ndjson:   one event per line; a line that is not a JSON object is a bad line, the rest loads.
 * - csv:      console / Lake CSV exports, one read per file (their columns differ).
 * A batch holds files of one format and one compression (the caller groups them).
 */
const STAGE = 'ingest_stage_cloudtrail';

export const cloudtrailLoader: Loader = {
  table: 'cloudtrail',

  async createStage(conn) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file_id INTEGER, position INTEGER, rec JSON, bad BOOLEAN)`);
  },

  async stage(conn, files) {
    const first = files[0];
    if (!first) return;
    const { format, compression } = first.detection;
    if (format === 'records') await stageRecords(conn, files, jsonCompression(compression));
    else if (format === 'document') await stageDocuments(conn, files, jsonCompression(compression));
    else if (format === 'ndjson') await stageLines(conn, files);
    else if (format === 'csv') await stageCsv(conn, files);
    else throw new Error(`no CloudTrail reader for format ${format}`);
  },

  async stats(conn) {
    const found = await rows<{
      file_id: number;
      records: number;
      bad_lines: number;
      first_bad: number | null;
      last_bad: boolean | null;
    }>(conn, lineStatsSql(STAGE, 'position'));
    const stats = toStats(found, 'lines that are not a JSON object');
    // ndjson positions are 0-based line indexes; report 1-based line numbers.
    for (const s of stats.values()) if (s.firstBadLine !== null) s.firstBadLine += 1;
    return stats;
  },

  async commit(conn) {
    await exec(conn, commitSql(STAGE));
    return addedPerFile(conn, 'cloudtrail', STAGE);
  },

  async dropStage(conn) {
    await conn.run(`DROP TABLE IF EXISTS ${STAGE}`);
  },
};

async function stageRecords(conn: Conn, files: LoadFile[], compression: string): Promise<void> {
  const { paths, map } = mapParams(files);
  await exec(
    conn,
    `INSERT INTO ${STAGE}
     SELECT m.id, (r.pos - 1)::INTEGER, r.rec, false
     FROM (
       SELECT filename, generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec
       FROM read_json(${pathList('paths')}, columns = {Records: 'JSON[]'}, format = 'newline_delimited',
                      maximum_object_size = ${MAX_OBJECT_BYTES}, filename = true, compression = ${compression})
     ) r JOIN ${fileMap('map')} m ON m.p = r.filename`,
    { paths, map },
  );
}

async function stageDocuments(conn: Conn, files: LoadFile[], compression: string): Promise<void> {
  const { paths, map } = mapParams(files);
  await exec(
    conn,
    `INSERT INTO ${STAGE}
     SELECT m.id, (r.pos - 1)::INTEGER, json(r.rec), false
     FROM (
       SELECT filename, generate_subscripts(list, 1) AS pos, unnest(list) AS rec
       FROM (
         SELECT filename,
           CASE
             WHEN json_type(json) = 'ARRAY' THEN json_extract(json, '$[*]')
             WHEN json_type(json, '$.Records') = 'ARRAY' THEN json_extract(json, '$.Records[*]')
             WHEN json_type(json, '$.Events') = 'ARRAY'
               THEN list_transform(json_extract(json, '$.Events[*]'), e -> CAST((e ->> 'CloudTrailEvent') AS JSON))
             ELSE [json]
           END AS list
         FROM read_json_objects(${pathList('paths')}, format = 'unstructured', maximum_object_size = ${MAX_OBJECT_BYTES},
                                filename = true, compression = ${compression})
       )
     ) r JOIN ${fileMap('map')} m ON m.p = r.filename
     WHERE json_type(r.rec) = 'OBJECT'`,
    { paths, map },
  );
}

/** One read per file (WITH ORDINALITY numbers the lines of that file only), all in one statement. */
async function stageLines(conn: Conn, files: LoadFile[]): Promise<void> {
  const params: Params = {};
  const parts = files.map((f, i) => {
    params[`p${i}`] = f.localPath;
    params[`id${i}`] = f.fileId;
    return `SELECT $id${i}::INTEGER AS file_id, (ordinality - 1)::INTEGER AS position, line AS text FROM ${readLines(`p${i}`, f.detection.compression)}`;
  });
  await exec(
    conn,
    `INSERT INTO ${STAGE}
     SELECT file_id, position, CASE WHEN ok THEN json(text) END, NOT ok
     FROM (
       SELECT file_id, position, text, coalesce(starts_with(ltrim(text), '{') AND json_valid(text), false) AS ok
       FROM (${parts.join(' UNION ALL ')})
       WHERE text IS NOT NULL AND trim(text) <> ''
     )`,
    params,
  );
}

async function stageCsv(conn: Conn, files: LoadFile[]): Promise<void> {
  const params: Params = {};
  const parts = files.map((f, i) => {
    const columns = f.detection.csvColumns ?? [];
    params[`p${i}`] = f.localPath;
    params[`id${i}`] = f.fileId;
    const spec = columns.map((_, c) => `'c${c}': 'VARCHAR'`).join(', ');
    const compression = f.detection.compression === 'gzip' ? `'gzip'` : `'none'`;
    return `SELECT $id${i}::INTEGER AS file_id, (ordinality - 1)::INTEGER AS position, ${csvRecordExpr(columns)} AS rec
      FROM read_csv($p${i}, columns = {${spec}}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                    null_padding = true, strict_mode = false, max_line_size = ${MAX_LINE_BYTES}, compression = ${compression}) WITH ORDINALITY`;
  });
  await exec(
    conn,
    `INSERT INTO ${STAGE} SELECT file_id, position, rec, false FROM (${parts.join(' UNION ALL ')})`,
    params,
  );
}

export type { StageStats };
