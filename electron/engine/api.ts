import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { contract, type ApiHandlers, type Channel, type ParsedInput } from '../../shared/api/contract';
import { LoupeError, toErrorShape, type Result } from '../../shared/errors';
import packageJson from '../../package.json' with { type: 'json' };
import { loadCase, redetect, type CaseLoadInput, type CaseLoadReport } from './case/load';
import { openCaseDatabase, readCaseName, writeCaseName, type CaseSession } from './case/session';
import { caseSummary, listFiles } from './case/summary';
import { createWorkspace, isWorkspaceDir } from './case/workspace';
import type { Database } from './db/database';
import type { DetectReport } from './detect/runner';
import { findingEvidence } from './findings/evidence';
import { getFinding } from './findings/get';
import { createInvestigateHandlers } from './investigate/handlers';
import { countFindings, listFindings } from './findings/list';
import { JobRegistry } from './jobs/job-registry';

/**
 * The engine every shell drives: the contract's handlers over one case workspace, plus the job
 * registry whose events the shells forward. Nothing here knows which shell is calling.
 */
export type Shell = 'desktop' | 'web' | 'cli';

export interface EngineOptions {
  shell: Shell;
  /** The case folder; a temp folder (removed on close) when not given. */
  workspaceDir?: string | undefined;
  /** Detection rules folder; the runner's bundled rules when not given. */
  rulesDir?: string | undefined;
}

export interface Engine {
  readonly shell: Shell;
  readonly handlers: ApiHandlers;
  readonly jobs: JobRegistry;
  readonly workspaceDir: string;
  /** Starts the case-open job at once; `done` settles with its report (or its error). */
  openCase(input: CaseLoadInput): { jobId: string; done: Promise<CaseLoadReport> };
  /** The open case's database; throws NO_CASE_OPEN when none is open. */
  database(): Database;
  close(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const workspace = createWorkspace(options.workspaceDir);
  const jobs = new JobRegistry();
  const state = {
    session: null as CaseSession | null,
    caseIndex: 0,
    /** Jobs working on the open case (its load, re-detections). */
    caseJobs: new Set<string>(),
    /** The newest case:open, which may still be waiting for its turn. */
    latestOpen: null as string | null,
    closed: false,
  };
  // Case opens and re-detections run one after another: each may swap or write the database.
  // A job cancelled while it waits its turn gives up as soon as it gets it.
  let queue: Promise<void> = Promise.resolve();
  const serialized = <T>(label: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    const previous = queue;
    let release!: () => void;
    queue = new Promise<void>((resolve) => (release = resolve));
    return previous
      .then(() => {
        if (signal.aborted) throw new LoupeError('JOB_CANCELLED', `${label}: cancelled.`);
        return work();
      })
      .finally(release);
  };

  const database = (): Database => {
    if (!state.session) {
      throw new LoupeError('NO_CASE_OPEN', 'No case is open.', { hint: 'Open a folder or file of AWS logs first.' });
    }
    return state.session.db;
  };

  // Runs inside the queue (or after every job has settled), so no job is using the database;
  // jobs of this case still waiting their turn are cancelled and give up when they get it.
  const closeSession = (): void => {
    const session = state.session;
    if (!session) return;
    for (const id of state.caseJobs) jobs.cancel(id);
    state.caseJobs.clear();
    state.session = null;
    session.db.close();
    if (workspace.owned) rmSync(dirname(session.dbPath), { recursive: true, force: true });
  };

  // A named workspace that already holds a case reopens it without ingesting anything.
  if (!workspace.owned && isWorkspaceDir(workspace.dir)) {
    const dbPath = workspace.dbPath(0);
    const db = await openCaseDatabase(workspace, 0);
    state.session = { db, dbPath, name: (await readCaseName(db)) ?? basename(workspace.dir) };
  }

  const track = <T>(started: { jobId: string; done: Promise<T> }) => {
    state.caseJobs.add(started.jobId);
    return started;
  };

  const openCase = (input: CaseLoadInput): { jobId: string; done: Promise<CaseLoadReport> } => {
    if (state.closed) throw new LoupeError('NO_CASE_OPEN', 'The engine is closed.');
    // A new case supersedes whatever the previous one was still doing, and any open still queued.
    for (const id of state.caseJobs) jobs.cancel(id);
    if (state.latestOpen) jobs.cancel(state.latestOpen);
    const name = caseName(input.paths);
    const label = `Open ${name}`;
    const started = jobs.start('case:open', label, (ctx) =>
      serialized(label, ctx.signal, async () => {
        ctx.report({ phase: 'open', message: `Opening the case workspace in ${workspace.dir}` });
        closeSession();
        const index = ++state.caseIndex;
        const db = await openCaseDatabase(workspace, index);
        state.session = { db, dbPath: workspace.dbPath(index), name };
        state.caseJobs.add(started.jobId);
        await writeCaseName(db, name);
        return loadCase(db, { ...input, rulesDir: input.rulesDir ?? options.rulesDir }, ctx);
      }),
    );
    state.latestOpen = started.jobId;
    return started;
  };

  const runDetect = (): { jobId: string; done: Promise<DetectReport> } => {
    const db = database();
    return track(
      jobs.start('detect:run', 'Run detections', (ctx) =>
        serialized('Run detections', ctx.signal, () => redetect(db, ctx, options.rulesDir)),
      ),
    );
  };

  // Typed as the full contract: a channel added to the contract without a handler fails typecheck.
  const handlers: ApiHandlers = {
    ...createInvestigateHandlers(database),
    'app:info': async () => ({ version: packageJson.version, shell: options.shell, caseOpen: state.session !== null }),
    'case:open': async (input) => ({ jobId: openCase(input).jobId }),
    'case:summary': async () => {
      const db = database();
      return caseSummary(db, { name: state.session?.name ?? basename(workspace.dir), workspaceDir: workspace.dir });
    },
    'files:list': async (input) => listFiles(database(), input),
    'findings:list': async (input) => listFindings(database(), input),
    'findings:counts': async (input) => countFindings(database(), input.filter),
    'findings:get': async (input) => ({ ...(await getFinding(database(), input.id)) }),
    'findings:evidence': async (input) => findingEvidence(database(), input),
    'detect:run': async () => ({ jobId: runDetect().jobId }),
    'jobs:list': async () => jobs.list(),
    'jobs:get': async (input) => jobs.get(input.jobId),
    'jobs:cancel': async (input) => ({ cancelled: jobs.cancel(input.jobId) }),
  };

  return {
    shell: options.shell,
    handlers,
    jobs,
    workspaceDir: workspace.dir,
    openCase,
    database,
    close: async () => {
      if (state.closed) return;
      state.closed = true;
      jobs.cancelAll();
      await Promise.all(jobs.list().map((j) => jobs.wait(j.jobId)));
      closeSession();
      workspace.dispose();
    },
  };
}

function caseName(paths: string[]): string {
  const first = paths[0] ?? 'case';
  const name = basename(first.replace(/[\\/]+$/, '')) || first;
  return paths.length > 1 ? `${name} +${paths.length - 1}` : name;
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
