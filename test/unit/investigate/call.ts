import type { z } from 'zod';
import { investigateContract } from '../../../shared/api/investigate';
import type { Database } from '../../../electron/engine/db/database';
import { createInvestigateHandlers, type InvestigateHandlers } from '../../../electron/engine/investigate/handlers';

type Contract = typeof investigateContract;

/** Calls a handler the way a shell does: input parsed (defaults applied) by the channel's schema, output checked too. */
export function caller(db: Database) {
  const handlers: InvestigateHandlers = createInvestigateHandlers(() => db);
  return async <C extends keyof Contract>(
    channel: C,
    input: z.input<Contract[C]['input']>,
  ): Promise<z.output<Contract[C]['output']>> => {
    const parsed = investigateContract[channel].input.parse(input);
    const handler = handlers[channel] as (i: unknown) => Promise<unknown>;
    const out = await handler(parsed);
    return investigateContract[channel].output.parse(out) as z.output<Contract[C]['output']>;
  };
}
