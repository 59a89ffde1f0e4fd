import type { Database, QueryOptions, SqlParams } from '../db/database';

export type TxRun = (sql: string, params?: SqlParams) => Promise<void>;

/**
 * Runs `work` inside BEGIN/COMMIT on one connection, so readers never see a half-replaced list
 * or finding set; any error (or a cancel) rolls everything back.
 */
export async function inTransaction(
  db: Database,
  work: (run: TxRun) => Promise<void>,
  options: QueryOptions = {},
): Promise<void> {
  await db.withConnection(async (conn) => {
    const run: TxRun = async (sql, params) => {
      await conn.run(sql, params);
    };
    await conn.run('BEGIN TRANSACTION');
    try {
      await work(run);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }, options);
}
