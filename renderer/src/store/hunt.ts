import type { EntityRef, HuntExample, HuntResult, HuntSchema } from '../../../shared/api/investigate';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

export const HUNT_PAGE = 100;

const DEFAULT_SQL = `SELECT event_name, count(*) AS calls
  FROM cloudtrail
 GROUP BY ALL
 ORDER BY calls DESC
 LIMIT 50`;

/** `$name` placeholders in the text, in order of first use (for the parameter inputs). */
export function placeholders(sql: string): string[] {
  const seen = new Set<string>();
  for (const m of sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) seen.add(m[1]!);
  return [...seen];
}

export interface HuntSlice {
  hunt: {
    sql: string;
    params: Record<string, string>;
    result: HuntResult | null;
    offset: number;
    running: string | null;
    error: ErrorInfo | null;
    schema: HuntSchema | null;
    schemaError: ErrorInfo | null;
    title: string | null;
  };
  setSql(sql: string): void;
  setParam(name: string, value: string): void;
  runHunt(offset?: number): Promise<void>;
  cancelHunt(): Promise<void>;
  loadHuntSchema(): Promise<void>;
  applyExample(example: HuntExample, run?: boolean): Promise<void>;
  pivotToHunt(entity: EntityRef): Promise<void>;
}

export function createHuntSlice({ set, get, api }: SliceDeps): HuntSlice {
  const patch = patcher(set, 'hunt');
  let counter = 0;
  return {
    hunt: {
      sql: DEFAULT_SQL,
      params: {},
      result: null,
      offset: 0,
      running: null,
      error: null,
      schema: null,
      schemaError: null,
      title: null,
    },
    setSql: (sql) => patch({ sql }),
    setParam: (name, value) => patch((s) => ({ params: { ...s.params, [name]: value } })),
    runHunt: async (offset = 0) => {
      const h = get().hunt;
      if (h.running) await get().cancelHunt();
      const queryId = `hunt-${Date.now()}-${++counter}`;
      const names = placeholders(h.sql);
      const params = Object.fromEntries(names.filter((n) => n in h.params).map((n) => [n, h.params[n] ?? '']));
      patch({ running: queryId, error: null });
      try {
        const result = await api['hunt:query']({ sql: h.sql, params, offset, limit: HUNT_PAGE, queryId });
        if (get().hunt.running === queryId) patch({ result, offset, running: null });
      } catch (error) {
        if (get().hunt.running === queryId) patch({ error: toErrorInfo(error), running: null });
      }
    },
    cancelHunt: async () => {
      const queryId = get().hunt.running;
      if (!queryId) return;
      patch({ running: null, error: { code: 'QUERY_CANCELLED', message: 'The query was cancelled.' } });
      try {
        await api['hunt:cancel']({ queryId });
      } catch {
        // Nothing left to cancel.
      }
    },
    loadHuntSchema: async () => {
      try {
        const schema = await api['hunt:schema']({});
        patch({ schema, schemaError: null });
      } catch (error) {
        patch({ schemaError: toErrorInfo(error) });
      }
    },
    applyExample: async (example, run = true) => {
      const params = Object.fromEntries(
        Object.entries(example.params).map(([k, v]) => [k, v === null ? '' : String(v)]),
      );
      patch({ sql: example.sql, params, title: example.title, result: null, error: null });
      if (run) await get().runHunt(0);
    },
    pivotToHunt: async (entity) => {
      try {
        const example = await api['hunt:pivot']({ entity });
        await get().applyExample(example, true);
      } catch (error) {
        patch({ error: toErrorInfo(error) });
      }
    },
  };
}
