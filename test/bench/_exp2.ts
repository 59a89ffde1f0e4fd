import { DuckDBInstance } from '@duckdb/node-api';
import { benchCase } from './dataset';
import { commitSql } from '../../electron/engine/sources/cloudtrail/projection';
import { EVENT_TABLES } from '../../electron/engine/db/schema-events';
const c = await benchCase();
const ct = c.files.cloudtrail.filter((_, i) => i % 8 === 0);
const paths = `from_json('${JSON.stringify(ct)}', '["VARCHAR"]')`;
const RJ = `read_json(${paths}, columns = {Records: 'JSON[]'}, format = 'newline_delimited', maximum_object_size = 536870912, filename = true, compression = 'gzip')`;
const inst = await DuckDBInstance.create(':memory:', { threads: '2', preserve_insertion_order: 'false' });
const conn = await inst.connect();
for (const s of EVENT_TABLES) await conn.run(s);
await conn.run(`CREATE TABLE st AS SELECT 1 AS file_id, (pos-1)::INTEGER AS position, rec, false AS bad FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`);
const sql = commitSql('st').replace(/QUALIFY[^\n]*\n/, '').replace(/ANTI JOIN.*$/s, '');
const a = sql.indexOf('SELECT', sql.indexOf('FROM (')) + 6;
const b = sql.indexOf('FROM (\n        SELECT file_id');
const list = sql.slice(a, b);
const inner = sql.slice(b, sql.lastIndexOf(')'));
const exprs: string[] = [];
let depth = 0, cur = '';
for (const ch of list) { if (ch === '(') depth++; if (ch === ')') depth--; if (ch === ',' && depth === 0) { exprs.push(cur); cur = ''; } else cur += ch; }
exprs.push(cur);
for (const e of exprs) {
  const t = performance.now(); const c0 = process.cpuUsage();
  await conn.run(`CREATE OR REPLACE TEMP TABLE o AS SELECT ${e} ${inner}`);
  const cu = process.cpuUsage(c0);
  console.log(((cu.user + cu.system) / 1e6).toFixed(2), ((performance.now() - t) / 1000).toFixed(2), e.trim().split('\n').pop()!.trim().slice(-60));
}
