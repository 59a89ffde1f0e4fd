import { Database } from './electron/engine/db/database';
import { readdirSync } from 'node:fs';
import { readLines } from './electron/engine/sources/sql';
const db = await Database.open({ path: ':memory:' });
const dir = '/tmp/lab/gen/AWSLogs/111122223333/vpcdnsquerylogs/vpc-02373db9b53afbb2e/2026/03/01/';
const files = readdirSync(dir).slice(0, 256).map((f) => dir + f);
const ctdir = '/tmp/lab/gen/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/';
const ct = readdirSync(ctdir).slice(0, 256).map((f) => ctdir + f);
await db.withConnection(async (c) => {
  const t = async (l: string, sql: string, p?: any) => { const s = Date.now(); await c.run(sql, p); console.log(l, Date.now() - s); };
  for (const n of [16, 64, 256]) {
    const p: any = {}; const parts = files.slice(0, n).map((f, i) => { p['p' + i] = f; return `SELECT ${i} AS fid, ordinality, line FROM ${readLines('p' + i, 'gzip')}`; });
    await t('union ' + n, `SELECT count(*) FROM (${parts.join(' UNION ALL ')})`, p);
  }
  await t('multi 256', `SELECT count(*) FROM read_csv(from_json($f, '["VARCHAR"]'), columns={'line':'VARCHAR'}, header=false, delim=chr(1), quote='', escape='', auto_detect=false, strict_mode=false, compression='gzip')`, { f: JSON.stringify(files) });
  await t('ct multi 256', `SELECT sum(len(Records)) FROM read_json(from_json($f, '["VARCHAR"]'), columns={Records:'JSON[]'}, format='newline_delimited', compression='gzip', filename=true)`, { f: JSON.stringify(ct) });
});
