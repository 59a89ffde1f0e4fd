import { mkdirSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { LoupeError } from '../../../shared/errors';
import { installMacros } from './macros';

/**
 * The only module (with its siblings in db/) that imports @duckdb/node-api. Everything else
 * talks to DuckDB through `Database`: bound parameters only, one connection per statement so
 * a cancel (`AbortSignal`) can interrupt exactly that statement, and a timeout on every call.
 */
export type SqlParams = Record<string, DuckDBValue> | DuckDBValue[];
export type Row = Record<string, unknown>;

export interface DatabaseOptions {
  /** A database file, or ':memory:' for tests and throwaway scans. */
  path: string;
  /** Where DuckDB spills when a query outgrows memory; inside the workspace. */
  tempDirectory?: string;
  threads?: number;
  memoryLimit?: string;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Milliseconds; 0 disables. UI reads should stay well under a second. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export class Database {
  private closed = false;
  private caps = 0;
  private capBytes = 0;
  private capSet: Promise<void> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly path: string,
    /** The memory limit the database was opened with (DuckDB's syntax, e.g. `9642MB`). */
    readonly memoryLimit: string,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    if (options.tempDirectory) mkdirSync(options.tempDirectory, { recursive: true });
    const memoryLimit = options.memoryLimit ?? '4GB';
    const config: Record<string, string> = {
      threads: String(options.threads ?? 2),
      memory_limit: memoryLimit,
      // Evidence work is offline: never fetch or load an extension behind the user's back.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      // Lets multi-file scans use both cores; row order is carried explicitly (file_id, position).
      preserve_insertion_order: 'false',
    };
    if (options.tempDirectory) config['temp_directory'] = options.tempDirectory;
    const instance = await DuckDBInstance.create(options.path, config);
    const db = new Database(instance, options.path, memoryLimit);
    await db.withConnection(async (conn) => {
      await installMacros((sql) => conn.run(sql).then(() => undefined));
    });
    return db;
  }

  /**
   * Runs `fn` with DuckDB's memory limit lowered to `limit` (never raised), then restores the
   * limit the database was opened with. `memory_limit` is global to the instance, so every
   * statement meanwhile runs under the cap; nested or overlapping caps restore once, at the end.
   */
  async withMemoryCap<T>(limit: string, fn: () => Promise<T>): Promise<T> {
    const cap = sizeInBytes(limit);
    const own = sizeInBytes(this.memoryLimit);
    if (cap === null || own === null || cap >= own) return fn();
    if (this.caps++ === 0) {
      this.capBytes = cap;
      this.capSet = this.run(`SET memory_limit = '${formatBytes(cap)}'`);
    }
    try {
      await this.capSet;
      return await fn();
    } finally {
      if (--this.caps === 0 && !this.closed) await this.run(`SET memory_limit = '${formatBytes(own)}'`);
    }
  }

  /**
   * Runs `fn` with the opening limit even inside a cap, then puts the cap back: for the rare read
   * that needs big buffers (a 64 MiB line or a 512 MiB document is read with a ~1 GiB buffer).
   */
  async withoutMemoryCap<T>(fn: () => Promise<T>): Promise<T> {
    if (this.caps === 0) return fn();
    await this.capSet;
    await this.run(`SET memory_limit = '${formatBytes(sizeInBytes(this.memoryLimit) ?? this.capBytes)}'`);
    try {
      return await fn();
    } finally {
      if (this.caps > 0 && !this.closed) await this.run(`SET memory_limit = '${formatBytes(this.capBytes)}'`);
    }
  }

  /** Runs statements that return nothing of interest (DDL, INSERT ... SELECT). */
  async run(sql: string, params?: SqlParams, options: QueryOptions = {}): Promise<void> {
    await this.withConnection((conn) => conn.run(sql, params).then(() => undefined), options);
  }

  /** Runs a query and returns its rows as plain JSON values (BIGINT as string, see README). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams, options: QueryOptions = {}): Promise<T[]> {
    return this.withConnection(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJson() as T[];
    }, options);
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams, options: QueryOptions = {}): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params, options);
    return rows[0];
  }

  /** Column names and types of a query without running it to completion. */
  async describe(sql: string, options: QueryOptions = {}): Promise<Array<{ name: string; type: string }>> {
    return this.all<{ name: string; type: string }>(
      `SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${sql})`,
      undefined,
      options,
    );
  }

  /**
   * Gives `fn` a fresh connection for the duration of the call. The signal and timeout
   * interrupt whatever statement is running on it; the error becomes QUERY_CANCELLED.
   */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>, options: QueryOptions = {}): Promise<T> {
    if (this.closed) throw new LoupeError('NO_CASE_OPEN', `The database ${this.path} is closed.`);
    if (options.signal?.aborted) throw cancelled();
    const conn = await this.instance.connect();
    let timedOut = false;
    const onAbort = () => conn.interrupt();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            conn.interrupt();
          }, timeoutMs)
        : undefined;
    try {
      await conn.run("SET TimeZone = 'UTC'");
      return await fn(conn);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      if (timedOut) {
        throw new LoupeError(
          'QUERY_CANCELLED',
          `A query ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`,
          {
            hint: 'Narrow the time range or filters and try again.',
          },
        );
      }
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      conn.closeSync();
    }
  }

  async checkpoint(): Promise<void> {
    if (this.path !== ':memory:') await this.run('CHECKPOINT');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }
}

function cancelled(): LoupeError {
  return new LoupeError('QUERY_CANCELLED', 'The operation was cancelled.');
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bytes of a DuckDB size setting ('4GB', '9642MB', '1.5 GiB'); null when it is not one. */
export function sizeInBytes(size: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  if (!m) return null;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** A byte count as a setting DuckDB reads back exactly (whole kilobytes). */
function formatBytes(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / 1000))}KB`;
}
