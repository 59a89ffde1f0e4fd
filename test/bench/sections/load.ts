import { join } from 'node:path';
import { DEFAULT_FLOW_FORMAT, FLOW_FIELD_BY_NAME } from '../../../electron/engine/sources/vpcflow/fields';
import type { LoadFigures } from '../case-child';
import { totalBytes, type BenchSource } from '../dataset';
import { INGEST_MEMORY_LIMIT } from '../../../electron/engine/sources/ingest';
import { bareScan, fmt, mb, runChild, storedScan, zcat } from '../measure';
import type { BenchSection } from './types';

const FILES = `from_json($files, '["VARCHAR"]')`;
const CSV_TYPE = { int: 'INTEGER', bigint: 'BIGINT', text: 'VARCHAR', time: 'BIGINT' } as const;
const FLOW_COLUMNS = DEFAULT_FLOW_FORMAT.map((name) => {
  const f = FLOW_FIELD_BY_NAME.get(name);
  return f ? `'${f.column}': '${CSV_TYPE[f.type]}'` : '';
}).join(', ');
const DNS_COLUMNS = [
  'version',
  'account_id',
  'region',
  'vpc_id',
  'query_timestamp',
  'query_name',
  'query_type',
  'query_class',
  'rcode',
  'srcaddr',
  'srcport',
  'transport',
  'firewall_rule_action',
  'firewall_rule_group_id',
  'firewall_domain_list_id',
  'firewall_protection',
]
  .map((c) => `'${c}': 'VARCHAR'`)
  .concat([`'answers': 'JSON'`, `'srcids': 'JSON'`])
  .join(', ');

/** Each source's files as the references read them: explicit schema, nothing sniffed. */
const READ: Record<BenchSource, string> = {
  cloudtrail: `read_json(${FILES}, columns = {Records: 'JSON[]'}, format = 'newline_delimited', maximum_object_size = 67108864,
                 compression = 'gzip')`,
  vpcflow: `read_csv(${FILES}, columns = {${FLOW_COLUMNS}}, delim = ' ', header = true, auto_detect = false, nullstr = '-',
               quote = '', escape = '', compression = 'gzip')`,
  dns: `read_json(${FILES}, columns = {${DNS_COLUMNS}}, format = 'newline_delimited', compression = 'gzip')`,
};

/**
 * The engine's ceiling: DuckDB reading the same files, every field converted (max over every
 * column: a bare count(*) lets the CSV reader skip the fields), and nothing stored.
 * CloudTrail: every record's JSON text, as the loader reads it.
 */
const BARE: Record<BenchSource, string> = {
  cloudtrail: `SELECT sum(len(Records))::BIGINT AS n FROM ${READ.cloudtrail}`,
  vpcflow: `SELECT count(*)::BIGINT AS n, max(COLUMNS(*)) FROM ${READ.vpcflow}`,
  dns: `SELECT count(*)::BIGINT AS n, max(COLUMNS(*)) FROM ${READ.dns}`,
};

/**
 * DuckDB storing the same read in a database file (`CREATE TABLE AS`): the cost of writing
 * DuckDB's format, which any load pays. CloudTrail: one row per record, its JSON text.
 */
const STORED: Record<BenchSource, string> = {
  cloudtrail: `SELECT unnest(Records) AS rec FROM ${READ.cloudtrail}`,
  vpcflow: `SELECT * FROM ${READ.vpcflow}`,
  dns: `SELECT * FROM ${READ.dns}`,
};

const SOURCES: BenchSource[] = ['cloudtrail', 'vpcflow', 'dns'];

/**
 * Each source's files loaded with ingestPaths into one fresh database file (a child process,
 * sources in turn, peak RSS reset between them), against bare DuckDB and zcat on the same
 * files. Leaves the loaded case for the sections after it.
 */
export const loadSection: BenchSection = {
  name: 'load',
  title: 'Load: ingestPaths into a database file vs bare DuckDB scan and zcat of the same files',
  async run(ctx) {
    const sources = SOURCES.filter((s) => ctx.bench.files[s].length > 0);
    const reference = new Map<
      BenchSource,
      { bare: number; bareRows: number; stored: number; z1: number; z2: number; raw: number }
    >();
    for (const source of sources) {
      const files = ctx.bench.files[source];
      ctx.log(`${source}: bare DuckDB scan, DuckDB storing it, zcat`);
      const bare = await bareScan(BARE[source], files);
      const stored = await storedScan(STORED[source], files, ctx.work, ctx.memoryLimit);
      const z1 = await zcat(ctx.work, files, 1);
      const z2 = await zcat(ctx.work, files, 2);
      reference.set(source, {
        bare: bare.seconds,
        bareRows: bare.rows,
        stored,
        z1: z1.seconds,
        z2: z2.seconds,
        raw: z1.bytes,
      });
    }
    ctx.log(`loading ${sources.join(', ')} (child process)`);
    const caseDb = join(ctx.work, 'case.duckdb');
    const load = runChild<LoadFigures>(ctx.work, 'load', {
      dbPath: caseDb,
      ...(ctx.memoryLimit ? { memoryLimit: ctx.memoryLimit } : {}),
      sources: sources.map((name) => ({ name, files: ctx.bench.files[name] })),
    });
    ctx.shared.caseDb = caseDb;
    ctx.shared.load = load;

    const rows: string[][] = [];
    const sum = { files: 0, events: 0, gz: 0, raw: 0, load: 0, bare: 0, stored: 0, z1: 0, z2: 0, db: 0 };
    for (const figures of load.sources) {
      const source = figures.name as BenchSource;
      const ref = reference.get(source);
      if (!ref) continue;
      const files = ctx.bench.files[source];
      const gz = totalBytes(files);
      const events =
        figures.events === ref.bareRows ? String(figures.events) : `${figures.events} (bare ${ref.bareRows})`;
      rows.push([
        source,
        String(files.length),
        events + (figures.filesFailed > 0 ? ` ${figures.filesFailed} failed` : ''),
        fmt(mb(gz)),
        fmt(mb(ref.raw), 0),
        fmt(figures.seconds),
        fmt(figures.events / figures.seconds / 1000, 0),
        fmt(mb(gz) / figures.seconds),
        fmt(ref.bare),
        fmt(ref.stored),
        fmt(ref.z1),
        fmt(ref.z2),
        fmt(ref.bare / figures.seconds, 2),
        fmt(ref.stored / figures.seconds, 2),
        fmt(ref.z2 / figures.seconds, 2),
        fmt(figures.peakRssMb, 0),
        fmt(figures.dbBytes / gz, 2),
      ]);
      sum.files += files.length;
      sum.events += figures.events;
      sum.gz += gz;
      sum.raw += ref.raw;
      sum.load += figures.seconds;
      sum.bare += ref.bare;
      sum.stored += ref.stored;
      sum.z1 += ref.z1;
      sum.z2 += ref.z2;
      sum.db += figures.dbBytes;
    }
    rows.push([
      'all',
      String(sum.files),
      String(sum.events),
      fmt(mb(sum.gz)),
      fmt(mb(sum.raw), 0),
      fmt(sum.load),
      fmt(sum.events / sum.load / 1000, 0),
      fmt(mb(sum.gz) / sum.load),
      fmt(sum.bare),
      fmt(sum.stored),
      fmt(sum.z1),
      fmt(sum.z2),
      fmt(sum.bare / sum.load, 2),
      fmt(sum.stored / sum.load, 2),
      fmt(sum.z2 / sum.load, 2),
      fmt(load.peakRssMb, 0),
      fmt(sum.db / sum.gz, 2),
    ]);
    return {
      columns: [
        'source',
        'files',
        'events',
        'gz MB',
        'raw MB',
        'load s',
        'k ev/s',
        'gz MB/s',
        'bare s',
        'stored s',
        'zcat s',
        'zcat×2 s',
        'bare/load',
        'stored/load',
        'zcat×2/load',
        'peak RSS MB',
        'db/gz',
      ],
      rows,
      notes: [
        `bare = DuckDB reading the same files with an explicit schema, every field converted, nothing stored; zcat×2 = two zcat processes at once.`,
        `stored = DuckDB storing that read in a fresh database file (CREATE TABLE AS, CloudTrail as one JSON text per record): DuckDB's own write cost, no line numbers, no conversions.`,
        `bare/load, stored/load and zcat×2/load: load speed as a fraction of the reference (1.0 = as fast). DuckDB memory limit ${load.memoryLimit}, capped at ${INGEST_MEMORY_LIMIT} while loading.`,
      ],
    };
  },
};
