import { Database } from './electron/engine/db/database';
import { readdirSync } from 'node:fs';
const db = await Database.open({ path: ':memory:' });
const dir = '/tmp/lab/gen/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/01/';
const files = readdirSync(dir).slice(0, 256).map((f) => dir + f);
await db.withConnection(async (c) => {
  for (const ml of ['', ', max_line_size=4194304', ', max_line_size=16777216', ', max_line_size=67108864']) {
    const p: any = {}; const parts = files.map((f, i) => { p['p' + i] = f; return `SELECT ${i} AS fid, ordinality, line FROM read_csv($p${i}, columns={'line': 'VARCHAR'}, header=false, delim=chr(1), quote='', escape='', auto_detect=false, strict_mode=false, compression='gzip'${ml}) WITH ORDINALITY`; });
    const s = Date.now(); await c.run(`SELECT count(*) FROM (${parts.join(' UNION ALL ')})`, p); console.log(ml, Date.now() - s);
  }
});
