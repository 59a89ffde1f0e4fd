import { cleanStats, countPerFile, stageStats, type LoadFile, type Loader, type StageStats } from '../loader';
import {
  exec,
  fileMap,
  jsonCompression,
  mapParams,
  MAX_LINE_BYTES,
  BATCH_LINE_BYTES,
  LARGE_OBJECT_BYTES,
  MAX_OBJECT_BYTES,
  pathList,
  readLines,
  type Conn,
  type Params,
} from '../sql';
import { csvRecordExpr } from './csv';
import { dedupeCloudTrail } from './dedupe';
import { insertSql } from './projection';

/**
 * CloudTrail in every shape it is exported in:
 * - records:  S3 delivery, the fast path. Many files in ONE read_json with an explicit schema
 *             ({Records: JSON[]}) straight into `cloudtrail`; position is the index in Records.
 * - document: read_json_objects; arrays, pretty-printed Records, single events and
 *             lookup-events output (whose CloudTrailEvent strings are parsed) all become records.
 * - ndjson:   one event per line; a line that is not a JSON object is a bad line, the rest loads.
 * - csv:      console / Lake CSV exports, one read per file (their columns differ).
 * The last three go through a TEMP stage (file_id, position, rec, bad) first: they are small,
 * and the stage is where bad lines are counted. A batch holds one format and one compression.
 */
const STAGE = 'ingest_stage_cloudtrail';

export const cloudtrailLoader: Loader = {
  table: 'cloudtrail',
  // Each commit cost 1-3 s on a 1M-event load (measured), so batches are large; the stream
  // writes to disk as it goes, so memory does not grow with the batch.
  batchBytes: 192 * 1024 * 1024,

  async insert(conn, files) {
    return insertFiles(conn, files, { object: MAX_OBJECT_BYTES, line: BATCH_LINE_BYTES });
  },

  /** A file the batch read refused, read alone with room for JSON documents up to 512 MiB and long lines. */
  async insertTolerant(conn, file) {
    return insertFiles(conn, [file], { object: LARGE_OBJECT_BYTES, line: MAX_LINE_BYTES });
  },

  dedupe: dedupeCloudTrail,
};

interface Limits {
  object: number;
  line: number;
}

async function insertFiles(conn: Conn, files: LoadFile[], limits: Limits): Promise<Map<number, StageStats>> {
  const first = files[0];
  if (!first) return new Map();
  const { format, compression } = first.detection;
  const ids = files.map((f) => f.fileId);
  if (format === 'records') {
    await insertRecords(conn, files, jsonCompression(compression), limits.object);
    return cleanStats(await countPerFile(conn, 'cloudtrail', ids), ids);
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file_id INTEGER, position INTEGER, rec JSON, bad BOOLEAN)`);
  try {
    if (format === 'document') await stageDocuments(conn, files, jsonCompression(compression), limits.object);
    else if (format === 'ndjson') await stageLines(conn, files, limits.line);
    else if (format === 'csv') await stageCsv(conn, files, limits.line);
    else throw new Error(`no CloudTrail reader for format ${format}`);
    const stats = await stageStats(conn, STAGE, 'position', 'lines that are not a JSON object');
    // ndjson positions are 0-based line indexes; report 1-based line numbers.
    for (const s of stats.values()) if (s.firstBadLine !== null) s.firstBadLine += 1;
    await exec(conn, insertSql(`(SELECT file_id, position, rec FROM ${STAGE} WHERE NOT bad)`));
    return stats;
  } finally {
    // After a failed statement the transaction is aborted and refuses even this; the rollback drops it.
    await conn.run(`DROP TABLE IF EXISTS ${STAGE}`).catch(() => undefined);
  }
}

/**
 * The fast path: read, unnest, parse and insert in one statement, no stage. Files are told
 * apart by `file_index` (their place in the list) joined to their ids: integers, not paths.
 */
async function insertRecords(conn: Conn, files: LoadFile[], compression: string, maxObject: number): Promise<void> {
  await exec(
    conn,
    insertSql(`(
      SELECT m.id AS file_id, (r.pos - 1)::INTEGER AS position, r.rec
      FROM (
        SELECT file_index, generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec
        FROM read_json(${pathList('paths')}, columns = {Records: 'JSON[]'}, format = 'newline_delimited',
                       maximum_object_size = ${maxObject}, compression = ${compression})
      ) r JOIN ${indexMap('ids')} m ON m.idx = r.file_index
    )`),
    { paths: JSON.stringify(files.map((f) => f.localPath)), ids: JSON.stringify(files.map((f) => f.fileId)) },
  );
}

/** (idx, id) rows: the 0-based place of each file in the read list, and its file id. */
function indexMap(param: string): string {
  return `(SELECT (generate_subscripts(l, 1) - 1)::BIGINT AS idx, unnest(l) AS id FROM (SELECT from_json($${param}, '["INTEGER"]') AS l))`;
}

async function stageDocuments(conn: Conn, files: LoadFile[], compression: string, maxObject: number): Promise<void> {
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
         FROM read_json_objects(${pathList('paths')}, format = 'unstructured', maximum_object_size = ${maxObject},
                                filename = true, compression = ${compression})
       )
     ) r JOIN ${fileMap('map')} m ON m.p = r.filename
     WHERE json_type(r.rec) = 'OBJECT'`,
    { paths, map },
  );
}

/** One read per file (WITH ORDINALITY numbers the lines of that file only), all in one statement. */
async function stageLines(conn: Conn, files: LoadFile[], maxLine: number): Promise<void> {
  const params: Params = {};
  const parts = files.map((f, i) => {
    params[`p${i}`] = f.localPath;
    params[`id${i}`] = f.fileId;
    return `SELECT $id${i}::INTEGER AS file_id, (ordinality - 1)::INTEGER AS position, line AS text FROM ${readLines(`p${i}`, f.detection.compression, maxLine)}`;
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

async function stageCsv(conn: Conn, files: LoadFile[], maxLine: number): Promise<void> {
  const params: Params = {};
  const parts = files.map((f, i) => {
    const columns = f.detection.csvColumns ?? [];
    params[`p${i}`] = f.localPath;
    params[`id${i}`] = f.fileId;
    const spec = columns.map((_, c) => `'c${c}': 'VARCHAR'`).join(', ');
    const compression = f.detection.compression === 'gzip' ? `'gzip'` : `'none'`;
    return `SELECT $id${i}::INTEGER AS file_id, (ordinality - 1)::INTEGER AS position, ${csvRecordExpr(columns)} AS rec
      FROM read_csv($p${i}, columns = {${spec}}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                    null_padding = true, strict_mode = false, max_line_size = ${maxLine}, compression = ${compression}) WITH ORDINALITY`;
  });
  await exec(
    conn,
    `INSERT INTO ${STAGE} SELECT file_id, position, rec, false FROM (${parts.join(' UNION ALL ')})`,
    params,
  );
}
