import { Database } from './electron/engine/db/database';
import { readdirSync } from 'node:fs';
import { readLines } from './electron/engine/sources/sql';
const db = await Database.open({ path: ':memory:' });
const dir = '/tmp/lab/gen/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/01/';
const files = readdirSync(dir).slice(0, 256).map((f) => dir + f);
await db.withConnection(async (c) => {
  const t = async (l: string, sql: string, p?: any) => { const s = Date.now(); const r = await c.runAndReadAll(sql, p); console.log(l, Date.now() - s, JSON.stringify(r.getRowObjectsJson()).slice(0,200)); };
  const p: any = {}; const parts = files.map((f, i) => { p['p' + i] = f; return `SELECT ${i} AS fid, ordinality, line FROM ${readLines('p' + i, 'gzip')}`; });
  await t('union lines', `SELECT count(*) FROM (${parts.join(' UNION ALL ')})`, p);
  await t('union split', `SELECT count(*), sum(len(string_split(trim(line), ' '))) FROM (${parts.join(' UNION ALL ')}) WHERE line IS NOT NULL`, p);
});
