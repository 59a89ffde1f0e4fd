import { Database } from './electron/engine/db/database';
const db = await Database.open({ path: ':memory:' });
const glob = '/tmp/lab/ct/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz';
const src = `read_json('${glob}', columns={Records:'JSON[]'}, format='newline_delimited', maximum_object_size=536870912)`;
await db.withConnection(async (c) => {
  const t = async (l: string, sql: string) => { const s = Date.now(); await c.run(sql); console.log(l, Date.now() - s); };
  await t('count', `SELECT sum(len(Records)) FROM ${src}`);
  await t('regular', `CREATE TABLE r1 AS SELECT generate_subscripts(Records,1) AS pos, unnest(Records) AS rec FROM ${src}`);
  await t('temp', `CREATE TEMP TABLE r2 AS SELECT generate_subscripts(Records,1) AS pos, unnest(Records) AS rec FROM ${src}`);
  await t('regular again', `CREATE TABLE r3 AS SELECT generate_subscripts(Records,1) AS pos, unnest(Records) AS rec FROM ${src}`);
  await t('count again', `SELECT sum(len(Records)) FROM ${src}`);
});
