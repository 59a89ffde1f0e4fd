import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'p2-'));
const inst = await DuckDBInstance.create(join(dir, 'x.duckdb'), { threads: '2', preserve_insertion_order: 'false', ...(process.env.SCV ? { storage_compatibility_version: process.env.SCV } : {}) });
const c = await inst.connect();
for (const sql of process.argv.slice(2)) {
  const t = performance.now();
  try { const r = await c.runAndReadAll(sql); console.log(((performance.now() - t) / 1000).toFixed(2) + 's', JSON.stringify(r.getRowObjectsJson()).slice(0, 600)); } catch (e) { console.log('ERR', (e as Error).message.split('\n')[0]); }
}
c.closeSync(); inst.closeSync();
console.log('size', statSync(join(dir, 'x.duckdb')).size / 1e6);
