import { Database } from './electron/engine/db/database';
import { migrate } from './electron/engine/db/schema';
import { commitSql } from './electron/engine/sources/cloudtrail/projection';
const db = await Database.open({ path: ':memory:' });
await migrate(db);
const glob = '/tmp/lab/ct/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz';
await db.withConnection(async (c) => {
  const t = async (l: string, sql: string) => { const s = Date.now(); await c.run(sql); console.log(l, Date.now() - s); };
  await t('stage', `CREATE TEMP TABLE st AS SELECT 1 AS file_id, (generate_subscripts(Records,1)-1)::INTEGER AS position, unnest(Records) AS rec, false AS bad FROM read_json('${glob}', columns={Records:'JSON[]'}, format='newline_delimited', maximum_object_size=536870912)`);
  const sql = commitSql('st');
  await t('select only', `CREATE TEMP TABLE x1 AS ` + sql.replace(/^INSERT INTO cloudtrail \([^)]*\)/, '').replace(/WHERE NOT EXISTS[\s\S]*$/, ''));
  await t('full commit', sql);
});
