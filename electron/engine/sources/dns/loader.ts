import { addedPerFile, lineStatsSql, toStats, type Loader } from '../loader';
import { exec, readLines, rows, type Params } from '../sql';

/**
 * Route 53 Resolver query logs: JSON lines (the last line often has no newline). Read as lines
 * (one read per file, in one statement) so each record keeps its line number; a line that is
 * not a JSON object is counted as bad and the rest loads. Parsed once with json_transform.
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

export const dnsLoader: Loader = {
  table: 'dns',

  async createStage(conn) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file_id INTEGER, line INTEGER, rec JSON, bad BOOLEAN)`);
  },

  async stage(conn, files) {
    const params: Params = {};
    const parts = files.map((f, i) => {
      params[`p${i}`] = f.localPath;
      params[`id${i}`] = f.fileId;
      return `SELECT $id${i}::INTEGER AS file_id, ordinality::INTEGER AS line, line AS text FROM ${readLines(`p${i}`, f.detection.compression)}`;
    });
    await exec(
      conn,
      `INSERT INTO ${STAGE}
       SELECT file_id, line, CASE WHEN ok THEN json(text) END, NOT ok
       FROM (
         SELECT file_id, line, text, coalesce(starts_with(ltrim(text), '{') AND json_valid(text), false) AS ok
         FROM (${parts.join(' UNION ALL ')})
         WHERE text IS NOT NULL AND trim(text) <> ''
       )`,
      params,
    );
  },

  async stats(conn) {
    const found = await rows<{
      file_id: number;
      records: number;
      bad_lines: number;
      first_bad: number | null;
      last_bad: boolean | null;
    }>(conn, lineStatsSql(STAGE, 'line'));
    return toStats(found, 'lines that are not a JSON object');
  },

  async commit(conn) {
    await exec(
      conn,
      `INSERT INTO dns (event_uid, query_time, version, account_id, region, vpc_id, query_name, query_type, query_class, rcode,
                        answers, srcaddr, srcport, transport, srcids, instance_id, resolver_endpoint_id,
                        firewall_rule_action, firewall_rule_group_id, firewall_domain_list_id, firewall_protection, raw, file_id, position)
       SELECT file_id || ':' || line, TRY_CAST(r.query_timestamp AS TIMESTAMPTZ), r.version, r.account_id, r.region, r.vpc_id,
              r.query_name, r.query_type, r.query_class, r.rcode, r.answers, r.srcaddr, TRY_CAST(r.srcport AS INTEGER), r.transport,
              r.srcids, (r.srcids ->> 'instance'), (r.srcids ->> 'resolver_endpoint'),
              r.firewall_rule_action, r.firewall_rule_group_id, r.firewall_domain_list_id, r.firewall_protection, rec, file_id, line
       FROM (SELECT file_id, line, rec, json_transform(rec, '${RECORD_SHAPE}') AS r FROM ${STAGE} WHERE NOT bad)`,
    );
    return addedPerFile(conn, 'dns', STAGE);
  },

  async dropStage(conn) {
    await conn.run(`DROP TABLE IF EXISTS ${STAGE}`);
  },
};
