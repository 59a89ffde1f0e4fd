import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const cfg = (): Record<string, string> => ({ threads: '2', memory_limit: '4GB', preserve_insertion_order: 'false', ...(process.env.SCV ? { storage_compatibility_version: process.env.SCV } : {}) });
export interface Variant { setup?: string[]; sqls: string[]; file?: boolean }
export async function runVariant(v: Variant) {
  const dir = mkdtempSync(join(tmpdir(), 'exp-'));
  const inst = await DuckDBInstance.create(v.file ? join(dir, 'x.duckdb') : ':memory:', cfg());
  const conn = await inst.connect();
  await conn.run(`SET TimeZone='UTC'`);
  for (const s of v.setup ?? []) await conn.run(s);
  const t = performance.now(); const c0 = process.cpuUsage();
  let out = '';
  for (const s of v.sqls) { const r = await conn.runAndReadAll(s); out = JSON.stringify(r.getRowObjectsJson()[0] ?? null); }
  const cu = process.cpuUsage(c0);
  const wall = performance.now() - t;
  conn.closeSync(); inst.closeSync();
  const size = v.file ? statSync(join(dir, 'x.duckdb')).size : 0;
  rmSync(dir, { recursive: true, force: true });
  return { wall: wall / 1000, cpu: (cu.user + cu.system) / 1e6, out, size };
}
export async function compare(variants: Record<string, Variant>, rounds: number) {
  const names = (process.env.ONLY ?? '').split(',').filter(Boolean);
  const use = names.length ? names : Object.keys(variants);
  const res: Record<string, { wall: number[]; cpu: number[] }> = {};
  for (let r = 0; r < rounds; r++) for (const n of use) {
    const o = await runVariant(variants[n]!);
    (res[n] ??= { wall: [], cpu: [] }).wall.push(o.wall); res[n]!.cpu.push(o.cpu);
    console.log(`${n.padEnd(20)} wall ${o.wall.toFixed(2)} cpu ${o.cpu.toFixed(2)} ${o.size ? (o.size / 1e6).toFixed(0) + 'MB ' : ''}${o.out.slice(0, 120)}`);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log('--- min/median');
  for (const n of use) console.log(`${n.padEnd(20)} wall ${Math.min(...res[n]!.wall).toFixed(2)}/${med(res[n]!.wall).toFixed(2)} cpu ${Math.min(...res[n]!.cpu).toFixed(2)}/${med(res[n]!.cpu).toFixed(2)}`);
}
export const list = (paths: string[]) => `from_json('${JSON.stringify(paths).replace(/'/g, "''")}', '["VARCHAR"]')`;
