import type { EntityRef, HuntExample, HuntResult, HuntSchema } from '../../../shared/api/investigate';
import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import { assertReadOnlyQuery } from './hunt-guard';
import { HUNT_EXAMPLES, pivotQuery } from './hunt-examples';
import { resolveSources } from './sources';

/**
 * The hunt console: one read-only query at a time per query id, paged by reading the result
 * stream (the user's SQL is prepared as written, never wrapped or edited), cancellable by id.
 */
const HUNT_TIMEOUT_MS = 120_000;
const MAX_CELL_CHARS = 20_000;

export type HuntParams = Record<string, string | number | boolean | null>;

export interface HuntInput {
  sql: string;
  params: HuntParams;
  offset: number;
  limit: number;
  queryId: string;
}

export class HuntRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly getDb: () => Database) {}

  async query(input: HuntInput): Promise<HuntResult> {
    const db = this.getDb();
    await assertReadOnlyQuery(db, input.sql);
    this.running.get(input.queryId)?.abort();
    const controller = new AbortController();
    this.running.set(input.queryId, controller);
    const started = performance.now();
    try {
      return await db.withConnection(
        async (conn) => {
          // An interrupt that lands between statements is lost (DuckDB clears the flag when the
          // next statement starts), so once cancelled keep interrupting until this call ends.
          let repeat: ReturnType<typeof setInterval> | undefined;
          const onAbort = () => {
            conn.interrupt();
            repeat = setInterval(() => conn.interrupt(), 25);
          };
          controller.signal.addEventListener('abort', onAbort, { once: true });
          let prepared;
          try {
            throwIfCancelled(controller.signal);
            prepared = await conn.prepare(input.sql);
          } catch (error) {
            controller.signal.removeEventListener('abort', onAbort);
            if (repeat) clearInterval(repeat);
            throw queryFailed(error);
          }
          try {
            throwIfCancelled(controller.signal);
            const bound: HuntParams = {};
            for (let i = 1; i <= prepared.parameterCount; i++) {
              const name = prepared.parameterName(i);
              if (!(name in input.params)) {
                throw new LoupeError('INVALID_INPUT', `The query uses $${name} but no value was given for it.`, {
                  hint: `Add a value for ${name} in the parameters, or write the value into the query.`,
                });
              }
              bound[name] = input.params[name] ?? null;
            }
            if (prepared.parameterCount > 0) prepared.bind(bound);
            const result = await prepared.stream().catch((error: unknown) => {
              throw queryFailed(error);
            });
            const columns = result.columnNames().map((name, i) => ({ name, type: String(result.columnTypes()[i]) }));
            const rows: unknown[][] = [];
            let seen = 0;
            let hasMore = false;
            try {
              for await (const chunk of result.yieldRowsJson()) {
                if (controller.signal.aborted) break;
                for (const row of chunk) {
                  if (seen >= input.offset + input.limit) {
                    hasMore = true;
                    break;
                  }
                  if (seen >= input.offset) rows.push(row.map(clip));
                  seen++;
                }
                if (hasMore) break;
              }
            } catch (error) {
              throw queryFailed(error);
            }
            throwIfCancelled(controller.signal);
            return { columns, rows, offset: input.offset, hasMore, elapsedMs: Math.round(performance.now() - started) };
          } finally {
            controller.signal.removeEventListener('abort', onAbort);
            if (repeat) clearInterval(repeat);
            prepared.destroySync();
          }
        },
        { signal: controller.signal, timeoutMs: HUNT_TIMEOUT_MS },
      );
    } finally {
      if (this.running.get(input.queryId) === controller) this.running.delete(input.queryId);
    }
  }

  cancel(queryId: string): boolean {
    const controller = this.running.get(queryId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  async schema(): Promise<HuntSchema> {
    const db = this.getDb();
    const tables = await db.all<{ name: string; rows: number }>(
      `SELECT table_name AS name, estimated_size::DOUBLE AS rows FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
        ORDER BY table_name`,
    );
    const columns = await db.all<{ table_name: string; name: string; type: string }>(
      `SELECT table_name, column_name AS name, data_type AS type FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
        ORDER BY table_name, column_index`,
    );
    const present = new Map<string, Set<string>>();
    for (const c of columns) {
      if (!present.has(c.table_name)) present.set(c.table_name, new Set());
      present.get(c.table_name)!.add(c.name);
    }
    const examples = HUNT_EXAMPLES.filter((ex) =>
      Object.entries(ex.needs).every(([table, cols]) => cols.every((col) => present.get(table)?.has(col))),
    ).map(({ needs: _needs, ...ex }) => ex);
    return {
      tables: tables.map((t) => ({
        name: t.name,
        rows: t.rows,
        columns: columns.filter((c) => c.table_name === t.name).map((c) => ({ name: c.name, type: c.type })),
      })),
      examples,
    };
  }

  async pivot(entity: EntityRef): Promise<HuntExample> {
    const sources = await resolveSources(this.getDb());
    return pivotQuery(entity, sources);
  }
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new LoupeError('QUERY_CANCELLED', 'The hunt query was cancelled.');
}

function clip(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_CELL_CHARS)
    return `${value.slice(0, MAX_CELL_CHARS)}… (${value.length} characters)`;
  return value;
}

function queryFailed(error: unknown): LoupeError {
  if (error instanceof LoupeError) return error;
  const message = (error instanceof Error ? error.message : String(error)).replace(/^[A-Za-z ]+? Error: /, '');
  const hint = /not found|does not exist|Referenced column/i.test(message)
    ? 'The schema browser lists every table and column of this case.'
    : 'Fix the query and run it again.';
  return new LoupeError('QUERY_FAILED', message, { hint });
}
