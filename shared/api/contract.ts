import { z } from 'zod';
import {
  appInfoSchema,
  caseSummarySchema,
  evidenceRowSchema,
  fileRecordSchema,
  fileStatusSchema,
  findingFilterSchema,
  findingRowSchema,
  findingSortSchema,
  jobFinishedEventSchema,
  jobIdSchema,
  jobInfoSchema,
  jobProgressEventSchema,
  openCaseInputSchema,
  pageSchema,
  severityCountsSchema,
} from './schemas';
import { investigateContract } from './investigate';

/**
 * The one map every shell is derived from: channel -> { input, output }. Preload, the IPC
 * registration in main, the web server's routes and the renderer's client all loop over these
 * keys; no channel name is written anywhere else. Names are `domain:verb`, ids go in payloads.
 */
export const contract = {
  ...investigateContract,
  'app:info': { input: z.object({}), output: appInfoSchema },
  'case:open': { input: openCaseInputSchema, output: jobIdSchema },
  'case:summary': { input: z.object({}), output: caseSummarySchema },
  'files:list': {
    input: pageSchema.extend({ status: fileStatusSchema.optional() }),
    output: z.object({ total: z.number(), rows: z.array(fileRecordSchema) }),
  },
  'findings:list': {
    input: pageSchema.extend({
      filter: findingFilterSchema.default({}),
      sort: findingSortSchema.default({ by: 'severity', dir: 'desc' }),
    }),
    output: z.object({ total: z.number(), rows: z.array(findingRowSchema) }),
  },
  'findings:counts': {
    input: z.object({ filter: findingFilterSchema.default({}) }),
    output: severityCountsSchema,
  },
  'findings:get': {
    input: z.object({ id: z.string().min(1).max(200) }),
    output: z.looseObject({ id: z.string(), type: z.string(), severity: z.number() }),
  },
  'findings:evidence': {
    input: pageSchema.extend({ id: z.string().min(1).max(200) }),
    output: z.object({ total: z.number(), rows: z.array(evidenceRowSchema) }),
  },
  'detect:run': { input: z.object({}), output: jobIdSchema },
  'jobs:list': { input: z.object({}), output: z.array(jobInfoSchema) },
  'jobs:get': { input: jobIdSchema, output: jobInfoSchema },
  'jobs:cancel': { input: jobIdSchema, output: z.object({ cancelled: z.boolean() }) },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;

export const channels = Object.keys(contract) as Channel[];

/** Events pushed from the engine to every connected UI. */
export const eventContract = {
  'jobs:progress': jobProgressEventSchema,
  'jobs:finished': jobFinishedEventSchema,
} as const;

export type EventContract = typeof eventContract;
export type EventName = keyof EventContract;
export type EventPayload<E extends EventName> = z.output<EventContract[E]>;
export const eventNames = Object.keys(eventContract) as EventName[];

/** The engine's side of the contract: one async handler per channel, taking parsed input. */
export type ApiHandlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<ChannelOutput<C>> };

/** What the renderer sees: one async function per channel returning the envelope's value. */
export type ApiClient = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };
