import {
  contract,
  type ApiHandlers,
  type Channel,
  type EventName,
  type EventPayload,
  type ParsedInput,
} from '../../shared/api/contract';
import type { CaseInfo, CaseState, ExportRequest } from '../../shared/api/schemas';
import { toErrorShape, type Result } from '../../shared/errors';
import packageJson from '../../package.json' with { type: 'json' };
import { listAccounts } from './case/accounts';
import { CaseController, type OpenEvidenceRequest, type StartedJob } from './case/controller';
import type { CaseLoadReport } from './case/load';
import { playbookView } from './case/playbook-view';
import type { S3Fetcher } from './case/s3-sources';
import { caseSummary, listFiles } from './case/summary';
import type { Database } from './db/database';
import type { ExportResult } from './export/export-findings';
import { findingEvidence } from './findings/evidence';
import { getFinding } from './findings/get';
import { countFindings, listFindings } from './findings/list';
import { archivedByRule } from './findings/suppression-view';
import { createInvestigateHandlers } from './investigate/handlers';
import { FeedService } from './intel/feed-service';
import { JobRegistry } from './jobs/job-registry';

/**
 * The engine every shell drives: the contract's handlers over one open case, the job registry,
 * and the events the shells forward (job progress, case changes). Nothing here knows which
 * shell is calling.
 */
export type Shell = 'desktop' | 'web' | 'cli';

export interface EngineOptions {
  shell: Shell;
  /** A case folder to open at start (created when missing or empty); otherwise none is open. */
  workspaceDir?: string | undefined;
  /** Detection rules folder; the runner's bundled rules when not given. */
  rulesDir?: string | undefined;
  /** Where the recent-cases list lives (desktop: Electron's userData); see workspace/recent.ts. */
  configDir?: string | undefined;
  /** Quiet time before analyst edits are written to case.json (default 2 s). */
  autosaveDelayMs?: number | undefined;
  /** The S3 fetcher (tests). */
  fetchS3?: S3Fetcher | undefined;
  /** Public feeds: the feeds file, the folder copies are kept in (default: the CLI's), per-feed timeout. */
  feeds?: { feedsFile?: string | undefined; dir?: string | undefined; timeoutMs?: number | undefined } | undefined;
}

export type EngineEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface Engine {
  readonly shell: Shell;
  readonly handlers: ApiHandlers;
  readonly jobs: JobRegistry;
  /** The open case's folder, or '' when none is open. */
  readonly workspaceDir: string;
  caseInfo(): CaseInfo | null;
  /** Starts loading evidence at once; `done` settles with the report (or the error). */
  openCase(input: OpenEvidenceRequest): StartedJob<CaseLoadReport>;
  /** Starts an export of the open case's findings. */
  exportFindings(request: ExportRequest): StartedJob<ExportResult>;
  /** The open case's database; throws NO_CASE_OPEN when none is open. */
  database(): Database;
  state(): CaseState;
  /** Job progress, job ends and case changes, for the shells to forward. Returns a disposer. */
  onEvent(listener: EngineEventListener): () => void;
  close(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const appVersion = packageJson.version;
  const jobs = new JobRegistry();
  const listeners = new Set<EngineEventListener>();
  const emit: EngineEventListener = (event, payload) => {
    for (const l of listeners) l(event, payload);
  };
  jobs.subscribe({
    progress: (payload) => emit('jobs:progress', payload),
    finished: (payload) => emit('jobs:finished', payload),
  });
  const cases = new CaseController(
    jobs,
    {
      appVersion,
      configDir: options.configDir,
      autosaveDelayMs: options.autosaveDelayMs,
      rulesDir: options.rulesDir,
      fetchS3: options.fetchS3,
    },
    (info) => emit('case:changed', { case: info }),
  );
  if (options.workspaceDir !== undefined) await cases.openOrCreate(options.workspaceDir);

  const database = (): Database => cases.database();
  const feeds = new FeedService(jobs, options.feeds);

  // Typed as the full contract: a channel added to the contract without a handler fails typecheck.
  const handlers: ApiHandlers = {
    ...createInvestigateHandlers(database),
    'app:info': async () => ({
      version: appVersion,
      shell: options.shell,
      caseOpen: cases.isOpen,
      caseDir: cases.info()?.dir ?? null,
    }),
    'case:open': async (input) => ({ jobId: cases.openEvidence(input).jobId }),
    'case:summary': async () => {
      const info = cases.info();
      return caseSummary(database(), { name: info?.name ?? '', workspaceDir: info?.dir ?? '' });
    },
    'files:list': async (input) => listFiles(database(), input),
    'findings:list': async (input) => listFindings(database(), input),
    'findings:counts': async (input) => countFindings(database(), input.filter),
    'findings:get': async (input) => ({ ...(await getFinding(database(), input.id)) }),
    'findings:evidence': async (input) => findingEvidence(database(), input),
    'detect:run': async () => ({ jobId: cases.redetect().jobId }),
    'jobs:list': async () => jobs.list(),
    'jobs:get': async (input) => jobs.get(input.jobId),
    'jobs:cancel': async (input) => ({ cancelled: jobs.cancel(input.jobId) }),

    'case:create': async (input) => cases.createCase(input.dir, input.name),
    'case:openWorkspace': async (input) => cases.openWorkspace(input.dir, input.readOnly),
    'case:info': async () => ({ case: cases.info() }),
    'case:save': async () => cases.save(),
    'case:saveAs': async (input) => cases.saveAs(input.dir, input.name),
    'case:close': async () => ({ closed: await cases.closeCase() }),
    'case:recent': async () => ({ cases: await cases.recent() }),
    'case:state': async () => cases.state(),
    'case:updateState': async (input) => cases.updateState(input),

    'custody:list': async (input) => cases.custody(input),
    'custody:verify': async () => ({ jobId: cases.verifyCustody().jobId }),

    'findings:archive': async (input) => cases.archive(input.ids, true),
    'findings:unarchive': async (input) => cases.archive(input.ids, false),
    'findings:playbook': async (input) =>
      playbookView(await getFinding(database(), input.id), { caseName: cases.info()?.name }),

    'suppression:list': async () => ({ rules: cases.suppressionRules(), archivedBy: archivedByRule(cases.state()) }),
    'suppression:save': async (input) => cases.saveSuppression(input.rule),
    'suppression:delete': async (input) => cases.deleteSuppression(input.id),
    'intel:lists': async () => ({ lists: await cases.intelLists() }),
    'intel:import': async (input) => cases.importIntel(input),
    'intel:update': async (input) => cases.updateIntel(input),
    'intel:remove': async (input) => cases.removeIntel(input.id),
    'intel:feeds': async () => feeds.view(cases.isOpen ? cases.state().intelLists : null),
    'intel:fetchFeeds': async () => feeds.fetch(),

    'export:run': async (input) => ({ jobId: cases.exportFindings(input, appVersion).jobId }),
    'accounts:list': async (input) => listAccounts(database(), () => cases.state(), input.archived),
  };

  return {
    shell: options.shell,
    handlers,
    jobs,
    get workspaceDir() {
      return cases.info()?.dir ?? '';
    },
    caseInfo: () => cases.info(),
    openCase: (input) => cases.openEvidence(input),
    exportFindings: (request) => cases.exportFindings(request, appVersion),
    database,
    state: () => cases.state(),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      await cases.close();
      listeners.clear();
    },
  };
}

/** True for a channel of the contract (own keys only: `toString` and friends are not channels). */
export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

/**
 * The one way a shell calls the engine: parse the input from unknown with the channel's schema,
 * run the handler, and wrap the outcome in the envelope. Nothing is thrown across a boundary.
 */
export async function invokeChannel(handlers: ApiHandlers, channel: Channel, input: unknown): Promise<Result<unknown>> {
  // Correlating a channel with its own handler's input type is beyond TypeScript here.
  const handler = handlers[channel] as unknown as ((input: ParsedInput<Channel>) => Promise<unknown>) | undefined;
  return invokeHandler(channel, handler, input);
}

/** Same, for one handler (the IPC wrapper registers channel by channel). */
export async function invokeHandler<C extends Channel>(
  channel: C,
  handler: ((input: ParsedInput<C>) => Promise<unknown>) | undefined,
  input: unknown,
): Promise<Result<unknown>> {
  const parsed = contract[channel].input.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const first = issues[0];
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: `Invalid input for ${channel}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}.`,
        details: { issues },
      },
    };
  }
  if (typeof handler !== 'function') {
    return {
      ok: false,
      error: { code: 'NOT_FOUND', message: `The channel ${channel} is not implemented by this engine.` },
    };
  }
  try {
    return { ok: true, value: await handler(parsed.data as ParsedInput<C>) };
  } catch (error) {
    return { ok: false, error: toErrorShape(error) };
  }
}
