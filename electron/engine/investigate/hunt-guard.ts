import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';

/**
 * Decides whether a hunt query may run, from DuckDB's own parse tree (`json_serialize_sql`),
 * never from the text: exactly one statement, and it must be a query (the serializer refuses
 * everything that is not a SELECT: INSERT, COPY, ATTACH, SET, PRAGMA, CALL ...). A SELECT can
 * still reach outside the case through table functions and replacement scans, or change state
 * through a few scalar functions, so the tree is walked and those are refused too.
 */

/** Table functions a SELECT may use in FROM: generators and read-only catalog views. */
const TABLE_FUNCTIONS = new Set([
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
  'duckdb_tables',
  'duckdb_columns',
  'duckdb_views',
  'duckdb_types',
  'duckdb_functions',
  'duckdb_constraints',
  'duckdb_indexes',
  'pragma_table_info',
  'pragma_storage_info',
]);

/** Scalar functions with side effects or that read outside the case. */
const DENIED_FUNCTIONS = new Set([
  'nextval',
  'currval',
  'setseed',
  'getenv',
  'query',
  'query_table',
  'json_execute_serialized_sql',
  'read_text',
  'read_blob',
]);
const DENIED_PREFIXES = [
  'read_',
  'parquet_',
  'sniff_',
  'glob',
  'iceberg_',
  'delta_',
  'sqlite_',
  'postgres_',
  'mysql_',
  'enable_',
  'disable_',
];

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Serialized {
  error: boolean;
  error_message?: string;
  error_type?: string;
  position?: string;
  statements?: unknown[];
}

export async function assertReadOnlyQuery(db: Database, sql: string): Promise<void> {
  const row = await db.one<{ j: string }>(
    `SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS j`,
    { sql },
    { timeoutMs: 10_000 },
  );
  const parsed = JSON.parse(row?.j ?? '{"error":true}') as Serialized;
  if (parsed.error) {
    const notSelect = /only select/i.test(parsed.error_message ?? '');
    throw new LoupeError(
      'INVALID_INPUT',
      notSelect
        ? 'Hunt runs read-only queries: only a single SELECT (or WITH ... SELECT) is allowed.'
        : `The query does not parse: ${parsed.error_message ?? 'syntax error'}`,
      {
        hint: notSelect
          ? 'Rewrite the statement as a SELECT over the case tables.'
          : 'Check the SQL near the position DuckDB names.',
        details: parsed.position !== undefined ? { position: Number(parsed.position) } : undefined,
      },
    );
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) {
    throw new LoupeError(
      'INVALID_INPUT',
      `Hunt runs one query at a time; this text holds ${statements.length} statements.`,
      {
        hint: 'Remove the extra statements (or the trailing semicolon and what follows it).',
      },
    );
  }
  walk(statements[0]);
}

function refuse(what: string): never {
  throw new LoupeError('FORBIDDEN', `Hunt queries may only read the case tables; ${what} is not allowed.`, {
    hint: 'Query the case tables (see the schema browser) instead of files or functions with side effects.',
  });
}

function checkFunction(name: string): void {
  const n = name.toLowerCase();
  if (DENIED_FUNCTIONS.has(n) || DENIED_PREFIXES.some((p) => n.startsWith(p))) refuse(`the function ${name}()`);
}

function walk(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (obj['type'] === 'TABLE_FUNCTION') {
    const fn = obj['function'] as Record<string, unknown> | undefined;
    const name = typeof fn?.['function_name'] === 'string' ? fn['function_name'] : '';
    if (!TABLE_FUNCTIONS.has(name.toLowerCase())) refuse(`the table function ${name || '(unknown)'}()`);
  }
  if (obj['type'] === 'BASE_TABLE') {
    // A name that is not a plain identifier ('/tmp/x.csv', 'https://...') would be a
    // replacement scan reading a file; other catalogs would reach attached databases.
    const table = String(obj['table_name'] ?? '');
    const catalog = String(obj['catalog_name'] ?? '');
    if (!PLAIN_NAME.test(table)) refuse(`reading "${table}" directly`);
    if (catalog !== '' && !PLAIN_NAME.test(catalog)) refuse(`the catalog "${catalog}"`);
  }
  if (typeof obj['function_name'] === 'string') checkFunction(obj['function_name']);
  for (const value of Object.values(obj)) if (value !== null && typeof value === 'object') walk(value);
}
