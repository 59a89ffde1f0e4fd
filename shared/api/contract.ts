import { z } from 'zod';
import {
  accountsListSchema,
  appInfoSchema,
  caseChangedEventSchema,
  caseInfoSchema,
  caseStatePatchSchema,
  caseStateSchema,
  caseSummarySchema,
  custodyRowSchema,
  custodyVerificationSchema,
  exportRequestSchema,
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
  playbookSchema,
  recentCaseSchema,
  severityCountsSchema,
  suppressionRuleInputSchema,
  suppressionRuleSchema,
  feedsViewSchema,
  intelImportInputSchema,
  intelListViewSchema,
  intelUpdateInputSchema,
} from './schemas';
import { investigateContract } from './investigate';
import type { Result } from '../errors';

const folderPath = z.string().min(1).max(4096);
const caseNameSchema = z.string().trim().min(1).max(200);
const findingIdsSchema = z.object({ ids: z.array(z.string().min(1).max(200)).min(1).max(10_000) });
const archiveOutputSchema = z.object({ updated: z.number(), deferred: z.boolean() });

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

  // Cases on disk (workspaces). A case without a folder yet is temporary: Save As keeps it.
  'case:create': {
    input: z.object({ dir: folderPath, name: caseNameSchema }),
    output: caseInfoSchema,
  },
  'case:openWorkspace': {
    input: z.object({ dir: folderPath, readOnly: z.boolean().default(false) }),
    output: caseInfoSchema,
  },
  'case:info': { input: z.object({}), output: z.object({ case: caseInfoSchema.nullable() }) },
  'case:save': { input: z.object({}), output: caseInfoSchema },
  'case:saveAs': {
    input: z.object({ dir: folderPath, name: caseNameSchema.optional() }),
    output: caseInfoSchema,
  },
  'case:close': { input: z.object({}), output: z.object({ closed: z.boolean() }) },
  'case:recent': { input: z.object({}), output: z.object({ cases: z.array(recentCaseSchema) }) },
  'case:state': { input: z.object({}), output: caseStateSchema },
  'case:updateState': { input: caseStatePatchSchema, output: caseStateSchema },

  // Chain of custody: every source file, its hash, when and from where it was loaded.
  'custody:list': {
    input: pageSchema.extend({ status: fileStatusSchema.optional() }),
    output: z.object({
      total: z.number(),
      rows: z.array(custodyRowSchema),
      verification: custodyVerificationSchema.nullable(),
    }),
  },
  'custody:verify': { input: z.object({}), output: jobIdSchema },

  // The analyst's archive decisions win over suppression rules; `deferred` while a load runs.
  'findings:archive': { input: findingIdsSchema, output: archiveOutputSchema },
  'findings:unarchive': { input: findingIdsSchema, output: archiveOutputSchema },
  'findings:playbook': { input: z.object({ id: z.string().min(1).max(200) }), output: playbookSchema },

  // Suppression rules: GuardDuty filter criteria with action ARCHIVE, applied after every run.
  'suppression:list': {
    input: z.object({}),
    output: z.object({
      rules: z.array(suppressionRuleSchema),
      /** Rule id -> findings that rule archives now (the analyst's own decisions excluded). */
      archivedBy: z.record(z.string(), z.number()),
    }),
  },
  'suppression:save': {
    input: z.object({ rule: suppressionRuleInputSchema }),
    output: z.object({
      rule: suppressionRuleSchema,
      archived: z.number(),
      unarchived: z.number(),
      deferred: z.boolean(),
    }),
  },
  'suppression:delete': {
    input: z.object({ id: z.string().min(1).max(200) }),
    output: z.object({ deleted: z.boolean(), archived: z.number(), unarchived: z.number(), deferred: z.boolean() }),
  },

  // Threat and trusted lists: a change loads or drops the list now, then re-runs detections (a job).
  'intel:lists': { input: z.object({}), output: z.object({ lists: z.array(intelListViewSchema) }) },
  'intel:import': {
    input: intelImportInputSchema,
    output: z.object({ list: intelListViewSchema, jobId: z.string() }),
  },
  'intel:update': {
    input: intelUpdateInputSchema,
    output: z.object({ list: intelListViewSchema, jobId: z.string() }),
  },
  'intel:remove': {
    input: z.object({ id: z.string().min(1).max(200) }),
    output: z.object({ removed: z.boolean(), jobId: z.string().nullable() }),
  },

  // Public feeds: the copies kept in the feed folder (shared with `loupe intel update`); downloading
  // them is a job, and only ever on this explicit call.
  'intel:feeds': { input: z.object({}), output: feedsViewSchema },
  'intel:fetchFeeds': { input: z.object({}), output: jobIdSchema },

  'export:run': { input: exportRequestSchema, output: jobIdSchema },
  'accounts:list': {
    input: z.object({ archived: z.enum(['exclude', 'include', 'only']).default('exclude') }),
    output: accountsListSchema,
  },
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
  /** A case was opened, created, saved elsewhere, renamed or closed (`case: null`). */
  'case:changed': caseChangedEventSchema,
} as const;

export type EventContract = typeof eventContract;
export type EventName = keyof EventContract;
export type EventPayload<E extends EventName> = z.output<EventContract[E]>;
export const eventNames = Object.keys(eventContract) as EventName[];

/** The engine's side of the contract: one async handler per channel, taking parsed input. */
export type ApiHandlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<ChannelOutput<C>> };

/** What the renderer sees: one async function per channel returning the envelope's value. */
export type ApiClient = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

/** What a shell returns for every call: the value, or the error shape. Never a thrown error. */
export type Envelope<C extends Channel> = Result<ChannelOutput<C>>;

/**
 * `window.loupe` in the desktop app (built by the preload from `channels` and `eventNames`):
 * `api[channel](input)` resolves to the envelope; `on(event, listener)` returns a disposer.
 */
export interface LoupeBridge {
  api: { [C in Channel]: (input: ChannelInput<C>) => Promise<Envelope<C>> };
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/**
 * Web mode's wire protocol (electron/server): POST `apiPath(channel)` with the JSON input and
 * `Authorization: Bearer <token>` answers 200 with the envelope (401 bad token, 403 foreign
 * Origin or Host, 404 unknown channel); `eventsPath?token=<token>` is a WebSocket that sends
 * `{ event, payload }` messages. The token arrives in the page URL as `?token=`.
 */
export const webProtocol = {
  apiPath: (channel: Channel): string => `/api/${encodeURIComponent(channel)}`,
  eventsPath: '/api/events',
  tokenParam: 'token',
} as const;

export interface WebEventMessage<E extends EventName = EventName> {
  event: E;
  payload: EventPayload<E>;
}
