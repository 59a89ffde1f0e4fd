import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCase } from './dataset';
import { commitSql } from '../../electron/engine/sources/cloudtrail/projection';

const c = await benchCase();
const frac = Number(process.env.FRAC ?? '0.25');
const which = (process.env.ONLY ?? '').split(',').filter(Boolean);
const rounds = Number(process.env.ROUNDS ?? '2');
const ct = c.files.cloudtrail.filter((_, i) => i % Math.round(1 / frac) === 0);
const paths = JSON.stringify(ct);
const q = (s: string) => s.replace(/\$paths/g, `from_json('${paths.replace(/'/g, "''")}', '["VARCHAR"]')`);
const cfg: Record<string,string> = { threads: '2', memory_limit: '4GB', preserve_insertion_order: 'false', ...(process.env.SCV ? { storage_compatibility_version: process.env.SCV } : {}) };

async function inMem(sql: string) {
  const inst = await DuckDBInstance.create(':memory:', cfg);
  const conn = await inst.connect();
  const t = performance.now(); const cpu0 = process.cpuUsage();
  const r = await conn.runAndReadAll(q(sql));
  const ms = performance.now() - t; const cu = process.cpuUsage(cpu0); const cpuS = (cu.user + cu.system) / 1e6;
  const v = JSON.stringify(r.getRowObjectsJson()[0]);
  conn.closeSync(); inst.closeSync();
  return { ms, v: `cpu=${cpuS.toFixed(1)} ` + v };
}
async function inFile(setup: string[], sqls: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'exp-'));
  const inst = await DuckDBInstance.create(join(dir, 'x.duckdb'), cfg);
  const conn = await inst.connect();
  for (const s of setup) await conn.run(s);
  const t = performance.now(); const cpu0 = process.cpuUsage();
  let v = '';
  for (const s of sqls) { const r = await conn.runAndReadAll(q(s)); v = JSON.stringify(r.getRowObjectsJson()[0] ?? null); }
  const ms = performance.now() - t; const cu = process.cpuUsage(cpu0); const cpuS = (cu.user + cu.system) / 1e6;
  conn.closeSync(); inst.closeSync();
  const size = statSync(join(dir, 'x.duckdb')).size;
  rmSync(dir, { recursive: true, force: true });
  return { ms, v: `cpu=${cpuS.toFixed(1)} ` + v + ' db=' + (size / 1e6).toFixed(0) + 'MB' };
}
const RJ = `read_json($paths, columns = {Records: 'JSON[]'}, format = 'newline_delimited', maximum_object_size = 536870912, filename = true, compression = 'gzip')`;
const RS = JSON.stringify({eventVersion:'VARCHAR',eventTime:'VARCHAR',eventSource:'VARCHAR',eventName:'VARCHAR',eventType:'VARCHAR',eventCategory:'VARCHAR',awsRegion:'VARCHAR',sourceIPAddress:'VARCHAR',userAgent:'VARCHAR',errorCode:'VARCHAR',errorMessage:'VARCHAR',readOnly:'VARCHAR',managementEvent:'VARCHAR',recipientAccountId:'VARCHAR',requestID:'VARCHAR',eventID:'VARCHAR',sharedEventID:'VARCHAR',vpcEndpointId:'VARCHAR',userIdentity:'JSON',requestParameters:'JSON',responseElements:'JSON',additionalEventData:'JSON',resources:'JSON',tlsDetails:'JSON',serviceEventDetails:'JSON'});
const IS = JSON.stringify({type:'VARCHAR',principalId:'VARCHAR',arn:'VARCHAR',accountId:'VARCHAR',accessKeyId:'VARCHAR',userName:'VARCHAR',invokedBy:'VARCHAR',sessionContext:{sessionIssuer:{type:'VARCHAR',arn:'VARCHAR',userName:'VARCHAR'},attributes:{creationDate:'VARCHAR',mfaAuthenticated:'VARCHAR'},ec2RoleDelivery:'VARCHAR'}});
const { EVENT_TABLES: ET0 } = await import('../../electron/engine/db/schema-events');
const EVENT_TABLES = process.env.ZSTD ? ET0.map((s) => s.replace(/ JSON,/g, ' JSON USING COMPRESSION zstd,')) : ET0;
const variants: Record<string, () => Promise<{ ms: number; v: string }>> = {
  rawZstd: () => inFile([`CREATE TABLE t (file_id INTEGER, position INTEGER, raw JSON USING COMPRESSION zstd)`], [`INSERT INTO t SELECT 1, (pos-1)::INTEGER, rec FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`]),
  rawUnc: () => inFile([`CREATE TABLE t (file_id INTEGER, position INTEGER, raw JSON USING COMPRESSION uncompressed)`], [`INSERT INTO t SELECT 1, (pos-1)::INTEGER, rec FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`]),
  rawFsst: () => inFile([`CREATE TABLE t (file_id INTEGER, position INTEGER, raw JSON USING COMPRESSION fsst)`], [`INSERT INTO t SELECT 1, (pos-1)::INTEGER, rec FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`]),

  fullMem: () => inFile([...EVENT_TABLES.map((s) => s.replace('CREATE TABLE IF NOT EXISTS cloudtrail', 'CREATE TEMP TABLE cloudtrail'))], [
    commitSql('st').replace(/FROM st WHERE NOT bad/, `FROM (SELECT 1 AS file_id, (pos-1)::INTEGER AS position, rec FROM (SELECT filename, generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ}))`).replace(/QUALIFY[^\n]*\n/, '').replace(/ANTI JOIN.*$/s, ''),
  ]),

  tsCast: () => inMem(`SELECT max(TRY_CAST(r.eventTime AS TIMESTAMPTZ)) FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ}))`),
  tsCastPlain: () => inMem(`SELECT max(TRY_CAST(r.eventTime AS TIMESTAMP)) FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ}))`),
  trOnly: () => inMem(`SELECT max(r.eventTime) FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ}))`),
  regex: () => inMem(`SELECT max(regexp_extract(r.eventTime, '/([^/]+)$', 1)) FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ}))`),

  tr1: () => inMem(`SELECT max(r.eventID), max(r.userIdentity) FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ}))`),
  tr2: () => inMem(`SELECT max(u.arn) FROM (SELECT json_transform(r.userIdentity, '${IS}') AS u FROM (SELECT json_transform(rec, '${RS}') AS r FROM (SELECT unnest(Records) AS rec FROM ${RJ})))`),
  ext: () => inMem(`SELECT max(rec->>'$.eventID'), max(rec->>'$.userIdentity.arn') FROM (SELECT unnest(Records) AS rec FROM ${RJ})`),
  rawOnlyMem: () => inMem(`SELECT max(length(rec)) FROM (SELECT unnest(Records) AS rec FROM ${RJ})`),
  rawOnlyFile: () => inFile([`CREATE TABLE t (file_id INTEGER, position INTEGER, raw JSON)`], [`INSERT INTO t SELECT 1, (pos-1)::INTEGER, rec FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`]),
  rawVarcharFile: () => inFile([`CREATE TABLE t (file_id INTEGER, position INTEGER, raw VARCHAR)`], [`INSERT INTO t SELECT 1, (pos-1)::INTEGER, rec FROM (SELECT generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`]),

  bare: () => inMem(`SELECT count(*) FROM (SELECT unnest(Records) FROM ${RJ})`),
  bareLen: () => inMem(`SELECT sum(len(Records)) FROM ${RJ}`),
  stageOld: () => inFile([...EVENT_TABLES, `CREATE TEMP TABLE st (file_id INTEGER, position INTEGER, rec JSON, bad BOOLEAN)`], [
    `INSERT INTO st SELECT 1, (pos-1)::INTEGER, rec, false FROM (SELECT filename, generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ})`,
    commitSql('st'),
  ]),
  directNoDedupe: () => inFile([...EVENT_TABLES, `CREATE TEMP TABLE st (file_id INTEGER, position INTEGER, rec JSON, bad BOOLEAN)`], [
    commitSql('st').replace(/FROM st WHERE NOT bad/, `FROM (SELECT 1 AS file_id, (pos-1)::INTEGER AS position, rec FROM (SELECT filename, generate_subscripts(Records, 1) AS pos, unnest(Records) AS rec FROM ${RJ}))`).replace(/QUALIFY[^\n]*\n/, '').replace(/ANTI JOIN.*$/s, ''),
  ]),
};
const names = which.length ? which : Object.keys(variants);
const res: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) for (const n of names) {
  const out = await variants[n]!();
  (res[n] ??= []).push(out.ms);
  console.log(`${n} ${(out.ms / 1000).toFixed(2)}s ${out.v}`);
}
console.log(ct.length, 'files');
for (const n of names) console.log(n, res[n]!.map((x) => (x / 1000).toFixed(2)).join(' '));
