import type { z } from 'zod';
import type { investigateContract } from '../../../shared/api/investigate';
import type { Database } from '../db/database';
import { accountsOverview } from './accounts';
import { findingGroups } from './finding-groups';
import { graphNeighborhood } from './graph';
import { HuntRunner } from './hunt';
import { timelineEvents, timelineHistogram } from './timeline';

type Contract = typeof investigateContract;
export type InvestigateHandlers = {
  [C in keyof Contract]: (input: z.output<Contract[C]['input']>) => Promise<z.output<Contract[C]['output']>>;
};

/**
 * The engine side of `shared/api/investigate.ts`. `getDb` is called per request so the handlers
 * follow whichever case is open; it throws NO_CASE_OPEN when none is. Inputs arrive parsed by
 * the shell (zod), so defaults are already applied.
 */
export function createInvestigateHandlers(getDb: () => Database): InvestigateHandlers {
  const hunt = new HuntRunner(getDb);
  return {
    'timeline:histogram': (input) => timelineHistogram(getDb(), input.scope, input.buckets),
    'timeline:events': (input) => timelineEvents(getDb(), input.scope, { offset: input.offset, limit: input.limit }),
    'findings:groups': (input) => findingGroups(getDb(), input.filter, input.by, input.limit),
    'graph:neighborhood': (input) =>
      graphNeighborhood(getDb(), input.scope, input.seeds, input.limit, input.offset, input.hops === 2 ? 2 : 1),
    'hunt:query': (input) => hunt.query(input),
    'hunt:cancel': async (input) => ({ cancelled: hunt.cancel(input.queryId) }),
    'hunt:schema': () => hunt.schema(),
    'hunt:pivot': (input) => hunt.pivot(input.entity),
    'accounts:overview': (input) => accountsOverview(getDb(), input.archived),
  };
}
