import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type {
  CaseInfo,
  CaseState,
  CaseStatePatch,
  CustodyRow,
  CustodyVerification,
  ExportRequest,
  FileRecord,
  IntelImportInput,
  IntelListView,
  IntelUpdateInput,
  NotificationRule,
  SuppressionOutcome,
  SuppressionRule,
  SuppressionRuleInput,
} from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import { exportFindings, type ExportResult } from '../export/export-findings';
import type { JobContext, JobRegistry } from '../jobs/job-registry';
import { notifyFindings } from '../notify/notify';
import { recentCases, type RecentCase } from '../workspace/recent';
import { refreshManifest } from '../workspace/workspace';
import type { ManifestVerification } from '../workspace/manifest';
import { listCustody, readVerification, saveVerification, verificationSummary, verifyCustody } from './custody';
import { loadCase, redetect, type CaseLoadInput, type CaseLoadReport, type IntelListReport } from './load';
import type { S3Fetcher } from './s3-sources';
import {
  caseInfo,
  closeSession,
  createNamedSession,
  createTempSession,
  openNamedSession,
  s3CacheDir,
  saveSession,
  saveSessionAs,
  updateSessionState,
  type CaseSession,
  type SessionOptions,
} from './session';
import { applyStatePatch, withArchiveDecision } from './state-patch';
import { applySuppression, setArchived } from './suppression';
import { findCaseDir } from './workspace';
import { intelListViews, intelRecord, intelRecordId, setIntelAccounts } from './intel-lists';
import { reconcileIntelLists } from '../intel/case-lists';
import { loadIntelList, removeIntelList } from '../intel/lists';

/**
 * The open case and everything that changes it. One case at a time; work that writes the case
 * database (loads, detection runs, suppression, archiving, Save As, switching cases) runs one
 * after another through a queue, so no two writers ever meet in DuckDB. Jobs that only read
 * (exports, custody checks) run beside them and are waited for before the database closes.
 */
export interface ControllerOptions extends SessionOptions {
  rulesDir?: string | undefined;
  fetchS3?: S3Fetcher | undefined;
}

export interface OpenEvidenceRequest extends CaseLoadInput {
  /** `add` to the open case, a `new` temp case, or `auto` (add to a saved case, else new). */
  mode?: 'auto' | 'new' | 'add' | undefined;
  /** Merged into the case (by id) before detection: the CLI's --suppress and --notify files. */
  suppressionRules?: SuppressionRule[] | undefined;
  notificationRules?: NotificationRule[] | undefined;
}

export interface StartedJob<T> {
  jobId: string;
  done: Promise<T>;
}

export class CaseController {
  private session: CaseSession | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Queued or running writer tasks. */
  private pending = 0;
  private readonly caseJobs = new Set<string>();
  private readonly readers = new Set<Promise<unknown>>();
  private verification: ManifestVerification | null = null;
  /** Lists switched off on opening because their file could not be read again (record id -> why). */
  private readonly intelProblems = new WeakMap<CaseSession, Map<string, string>>();
  /** A case whose lists had to be brought in line with its record on opening: detections re-run once it is open. */
  private redetectOnOpen: CaseSession | null = null;
  private closed = false;

  constructor(
    private readonly jobs: JobRegistry,
    private readonly options: ControllerOptions,
    private readonly onChange: (info: CaseInfo | null) => void,
  ) {}

  // ---- the open case ----------------------------------------------------------------------

  info(): CaseInfo | null {
    return this.session ? caseInfo(this.session) : null;
  }

  get isOpen(): boolean {
    return this.session !== null;
  }

  database(): Database {
    return this.current().db;
  }

  state(): CaseState {
    return this.current().state;
  }

  current(): CaseSession {
    if (!this.session) {
      throw new LoupeError('NO_CASE_OPEN', 'No case is open.', {
        hint: 'Open a case, or a folder or file of AWS logs, first.',
      });
    }
    return this.session;
  }

  private writable(): CaseSession {
    const session = this.current();
    if (session.ws.readOnly) {
      throw new LoupeError('FORBIDDEN', `The case ${session.ws.dir} is open read-only.`, {
        hint: 'Use Save As to keep your changes in a new case folder.',
      });
    }
    return session;
  }

  /**
   * Opens `dir` at startup (CLI --workspace, `serve <case>`): an existing case is reopened, an
   * empty or missing folder becomes a new case named after it.
   */
  async openOrCreate(dir: string): Promise<CaseInfo> {
    const found = findCaseDir(dir);
    if (found) return this.openWorkspace(found, false);
    const full = resolve(dir);
    const exists = isDirectory(full);
    if (exists && readdirSync(full).length > 0) {
      throw new LoupeError('INVALID_INPUT', `${full} is not a Loupe case and is not empty.`, {
        hint: 'Give a new or empty folder for the case, or the folder of an existing case (it holds case.json).',
      });
    }
    const info = await this.switchTo('Create case', () =>
      createNamedSession(full, basename(full).replace(/\.loupe$/i, '') || 'case', {
        ...this.options,
        exactDir: exists,
      }),
    );
    return info as CaseInfo;
  }

  async createCase(dir: string, name: string): Promise<CaseInfo> {
    return (await this.switchTo('Create case', () => createNamedSession(dir, name, this.options))) as CaseInfo;
  }

  async openWorkspace(dir: string, readOnly: boolean): Promise<CaseInfo> {
    const target = findCaseDir(dir) ?? resolve(dir);
    if (this.session && this.session.ws.dir === target && this.session.ws.readOnly === readOnly) {
      return caseInfo(this.session);
    }
    const info = await this.switchTo('Open case', async () => {
      // Reopening the case that is open here: let go of it first (our own lock would refuse).
      if (this.session?.ws.dir === target) await this.closeCurrent();
      const session = await openNamedSession(target, { ...this.options, readOnly });
      // Never a reason not to open the case: the lists panel shows what is loaded either way.
      if (!readOnly && (await this.reconcileIntel(session).catch(() => false))) this.redetectOnOpen = session;
      return session;
    });
    if (this.redetectOnOpen && this.redetectOnOpen === this.session) this.redetect();
    this.redetectOnOpen = null;
    return info as CaseInfo;
  }

  async closeCase(): Promise<boolean> {
    const had = this.session !== null;
    await this.switchTo('Close case', async () => null);
    return had;
  }

  async save(): Promise<CaseInfo> {
    const session = this.writable();
    if (session.tempRoot) {
      throw new LoupeError('INVALID_INPUT', `The case "${session.state.name}" is temporary and has no folder yet.`, {
        hint: 'Use Save As to choose where to keep it.',
      });
    }
    await saveSession(session, this.options);
    return caseInfo(session);
  }

  async saveAs(dir: string, name?: string): Promise<CaseInfo> {
    this.current();
    if (this.pending > 0) throw this.busy('Save As');
    return this.serialized('Save As', undefined, async () => {
      await this.settleReaders();
      const session = this.current();
      try {
        this.setSession(await saveSessionAs(session, dir, { ...this.options, name }));
      } catch (error) {
        // Failed after the original was let go: nothing is open any more.
        if (session.ws.closed) this.setSession(null);
        throw error;
      }
      return caseInfo(this.current());
    });
  }

  async recent(): Promise<RecentCase[]> {
    return recentCases({ configDir: this.options.configDir });
  }

  updateState(patch: CaseStatePatch): CaseState {
    const session = this.writable();
    const state = updateSessionState(session, applyStatePatch(session.state, patch));
    if (patch.name !== undefined) this.onChange(caseInfo(session));
    // Lists edited in the record directly: the intel tables follow, then detections (or, when
    // the tables already agree, suppression, which carries threat-list scopes).
    if (patch.intelLists !== undefined) void this.syncIntel(session).catch(() => undefined);
    return state;
  }

  // ---- loading and detection ----------------------------------------------------------------

  openEvidence(request: OpenEvidenceRequest): StartedJob<CaseLoadReport> {
    if (this.closed) throw new LoupeError('NO_CASE_OPEN', 'The engine is closed.');
    const open = this.session;
    const mode =
      request.mode === 'new' || request.mode === 'add' ? request.mode : open && !open.tempRoot ? 'add' : 'new';
    if (mode === 'add' && open?.ws.readOnly) this.writable();
    // A new case supersedes whatever the open one was still doing.
    if (mode === 'new') this.cancelCaseJobs();
    const name = caseName([...request.paths, ...(request.s3 ?? []).map((s) => s.uri)]);
    const label = mode === 'new' || !open ? `Open ${name}` : `Add ${name} to ${open.state.name}`;
    const started = this.jobs.start('case:open', label, (ctx) =>
      this.serialized(label, ctx.signal, async () => {
        let session = this.session;
        if (mode === 'new' || !session) {
          ctx.report({ phase: 'open', message: 'Creating a temporary case' });
          await this.settleReaders();
          const next = await createTempSession(name, this.options);
          await this.closeCurrent();
          this.setSession(next);
          session = next;
        }
        return this.load(session, request, ctx);
      }),
    );
    this.track(started);
    return started;
  }

  redetect(): StartedJob<CaseLoadReport['detect']> {
    const session = this.writable();
    const label = `Run detections on ${session.state.name}`;
    const started = this.jobs.start('detect:run', label, (ctx) =>
      this.serialized(label, ctx.signal, async () => {
        const current = this.writable();
        const { detect, detectedAt } = await redetect(
          current.db,
          ctx,
          this.options.rulesDir,
          current.state.settings.learningPeriodDays,
        );
        await this.afterDetect(current, detectedAt, ctx);
        return detect;
      }),
    );
    this.track(started);
    return started;
  }

  private async load(session: CaseSession, request: OpenEvidenceRequest, ctx: JobContext): Promise<CaseLoadReport> {
    if (request.suppressionRules?.length || request.notificationRules?.length) {
      updateSessionState(session, {
        ...session.state,
        suppressionRules: upsert(session.state.suppressionRules, request.suppressionRules ?? []),
        notifications: upsert(session.state.notifications, request.notificationRules ?? []),
      });
    }
    const report = await loadCase(
      session.db,
      {
        ...request,
        intelScopes: Object.fromEntries(
          session.state.intelLists.filter((r) => r.accounts?.length).map((r) => [r.id, r.accounts ?? []]),
        ),
        rulesDir: request.rulesDir ?? this.options.rulesDir,
        learningDays: request.learningDays ?? session.state.settings.learningPeriodDays,
      },
      ctx,
      { s3CacheDir: s3CacheDir(session), fetchS3: this.options.fetchS3 },
    );
    this.recordIntel(session, report.intel);
    const after = await this.afterDetect(session, report.detectedAt, ctx);
    report.suppression = after.suppression;
    report.notifications = after.notifications;
    // The chain-of-custody record follows every load (a temp case's too: Save As copies it).
    await refreshManifest(session.ws, session.db, { signal: ctx.signal }).catch(() => undefined);
    return report;
  }

  /** Suppression rules and threat-list scopes, then notifications for what the run found. */
  private async afterDetect(session: CaseSession, detectedAt: string, ctx: JobContext) {
    ctx.report({ phase: 'suppress', done: 0, total: null, message: 'Applying suppression rules' });
    const result = await applySuppression(session.db, session.state, { signal: ctx.signal });
    if (result.changed) updateSessionState(session, result.state);
    const notifications = await notifyFindings(session.db, session.state.notifications, detectedAt, ctx);
    return { suppression: { archived: result.archived, unarchived: result.unarchived }, notifications };
  }

  private recordIntel(session: CaseSession, lists: IntelListReport[]): void {
    if (lists.length === 0) return;
    const at = new Date().toISOString();
    const records = lists.map((l) => {
      const previous = session.state.intelLists.find((x) => x.id === intelRecordId(l.kind, l.name));
      this.intelProblems.get(session)?.delete(intelRecordId(l.kind, l.name));
      // The load applied the case's scope when the file names none (`intelScopes`): the record says the same.
      return intelRecord(l, previous, at);
    });
    try {
      updateSessionState(session, { ...session.state, intelLists: upsert(session.state.intelLists, records) });
    } catch {
      // A list whose format the case record does not know yet stays loaded, just unrecorded.
    }
  }

  // ---- threat and trusted lists -------------------------------------------------------------

  async intelLists(): Promise<IntelListView[]> {
    const session = this.current();
    return intelListViews(session.db, session.state, this.intelProblems.get(session));
  }

  /**
   * A reopened case matches what its record says (the record is the analyst's word); when the
   * database had to change, detections run again so the findings follow.
   */
  private async reconcileIntel(session: CaseSession): Promise<boolean> {
    const result = await reconcileIntelLists(session.db, session.state.intelLists, new Date().toISOString());
    this.intelProblems.set(session, result.problems);
    if (result.changed) updateSessionState(session, { ...session.state, intelLists: result.records });
    return result.databaseChanged;
  }

  /**
   * Loads a list file into the case now (a malformed one is refused here, with its line, and
   * nothing changes), records it, and re-runs detections so its matches become findings.
   */
  async importIntel(input: IntelImportInput): Promise<{ list: IntelListView; jobId: string }> {
    const session = this.writable();
    if (this.pending > 0) throw this.busy('Importing a list');
    const accounts = input.accounts?.length ? input.accounts : undefined;
    const path = resolve(input.path);
    const info = await this.serialized('Import a list', undefined, () =>
      loadIntelList(session.db, path, input.kind, {
        ...(input.format ? { format: input.format } : {}),
        ...(accounts ? { accounts } : {}),
      }),
    );
    const previous = session.state.intelLists.find((x) => x.id === intelRecordId(info.kind, info.name));
    const record = intelRecord(info, previous, new Date().toISOString());
    this.intelProblems.get(session)?.delete(record.id);
    updateSessionState(session, { ...session.state, intelLists: upsert(session.state.intelLists, [record]) });
    return { list: await this.intelView(record.id), jobId: this.redetect().jobId };
  }

  /** Switches a list on or off, or changes the accounts it applies to; then re-runs detections. */
  async updateIntel(input: IntelUpdateInput): Promise<{ list: IntelListView; jobId: string }> {
    const session = this.writable();
    if (this.pending > 0) throw this.busy('Changing a list');
    const record = session.state.intelLists.find((r) => r.id === input.id);
    if (!record) throw new LoupeError('NOT_FOUND', `The case has no list ${input.id}.`);
    const enabled = input.enabled ?? record.enabled;
    const accounts =
      input.accounts === undefined ? (record.accounts ?? null) : input.accounts?.length ? input.accounts : null;
    let next = { ...record, enabled };
    if (accounts) next.accounts = accounts;
    else delete next.accounts;
    await this.serialized('Change a list', undefined, async () => {
      if (!enabled) {
        await removeIntelList(session.db, record.name);
      } else if (!record.enabled) {
        // Switched back on: read the file again (it may have changed; the record says how).
        const info = await loadIntelList(session.db, record.source, record.kind, {
          name: record.name,
          format: record.format,
          ...(accounts ? { accounts } : {}),
        });
        next = { ...intelRecord({ ...info, accounts }, record, new Date().toISOString()), enabled: true };
      } else {
        await setIntelAccounts(session.db, record.name, accounts);
      }
    });
    this.intelProblems.get(session)?.delete(next.id);
    updateSessionState(session, { ...session.state, intelLists: upsert(session.state.intelLists, [next]) });
    return { list: await this.intelView(next.id), jobId: this.redetect().jobId };
  }

  /** Drops a list from the case and the database; re-runs detections when it was loaded. */
  async removeIntel(id: string): Promise<{ removed: boolean; jobId: string | null }> {
    const session = this.writable();
    if (this.pending > 0) throw this.busy('Removing a list');
    const record = session.state.intelLists.find((r) => r.id === id);
    if (!record) return { removed: false, jobId: null };
    await this.serialized('Remove a list', undefined, () => removeIntelList(session.db, record.name));
    updateSessionState(session, {
      ...session.state,
      intelLists: session.state.intelLists.filter((r) => r.id !== id),
    });
    return { removed: true, jobId: record.enabled ? this.redetect().jobId : null };
  }

  private async syncIntel(session: CaseSession): Promise<void> {
    const changed = await this.serialized('Apply list changes', undefined, async () => {
      return this.session === session && (await this.reconcileIntel(session));
    });
    if (changed && this.session === session) this.redetect();
    else await this.reapply();
  }

  private async intelView(id: string): Promise<IntelListView> {
    const view = (await this.intelLists()).find((v) => v.id === id);
    if (!view) throw new LoupeError('INTERNAL', `The list ${id} was saved but cannot be read back.`);
    return view;
  }

  // ---- analyst decisions --------------------------------------------------------------------

  /**
   * Archives or unarchives findings: the decision is kept in case.json (it wins over suppression
   * rules, and survives re-detection); the column changes now, or, while a load or detection
   * runs, when that run applies the decisions at its end.
   */
  async archive(ids: readonly string[], archived: boolean): Promise<{ updated: number; deferred: boolean }> {
    const session = this.writable();
    updateSessionState(session, withArchiveDecision(session.state, ids, archived, new Date()));
    if (this.pending > 0) return { updated: 0, deferred: true };
    const updated = await this.serialized('Archive findings', undefined, () =>
      setArchived(this.current().db, ids, archived),
    );
    return { updated, deferred: false };
  }

  suppressionRules(): SuppressionRule[] {
    return this.current().state.suppressionRules;
  }

  async saveSuppression(
    input: SuppressionRuleInput,
  ): Promise<SuppressionOutcome & { rule: SuppressionRule; deferred: boolean }> {
    const session = this.writable();
    const at = new Date().toISOString();
    const id = input.id ?? randomUUID();
    const previous = session.state.suppressionRules.find((r) => r.id === id);
    const rule = { ...input, id, createdAt: previous?.createdAt ?? at, updatedAt: at };
    const state = updateSessionState(session, {
      ...session.state,
      suppressionRules: upsert(session.state.suppressionRules, [rule as SuppressionRule]),
    });
    const saved = state.suppressionRules.find((r) => r.id === id) as SuppressionRule;
    return { rule: saved, ...(await this.reapply()) };
  }

  async deleteSuppression(id: string): Promise<SuppressionOutcome & { deleted: boolean; deferred: boolean }> {
    const session = this.writable();
    const rules = session.state.suppressionRules.filter((r) => r.id !== id);
    if (rules.length === session.state.suppressionRules.length) {
      return { deleted: false, archived: 0, unarchived: 0, deferred: false };
    }
    updateSessionState(session, { ...session.state, suppressionRules: rules });
    return { deleted: true, ...(await this.reapply()) };
  }

  private async reapply(): Promise<SuppressionOutcome & { deferred: boolean }> {
    if (this.pending > 0) return { archived: 0, unarchived: 0, deferred: true };
    return this.serialized('Apply suppression rules', undefined, async () => {
      const session = this.writable();
      const result = await applySuppression(session.db, session.state);
      if (result.changed) updateSessionState(session, result.state);
      return { archived: result.archived, unarchived: result.unarchived, deferred: false };
    });
  }

  // ---- reading jobs -------------------------------------------------------------------------

  async custody(input: {
    offset: number;
    limit: number;
    status?: FileRecord['status'] | undefined;
  }): Promise<{ total: number; rows: CustodyRow[]; verification: CustodyVerification | null }> {
    const session = this.current();
    const page = await listCustody(session.db, input, this.verification);
    return { ...page, verification: verificationSummary(this.verification) };
  }

  verifyCustody(): StartedJob<ManifestVerification> {
    return this.startReader('custody:verify', 'Verify the chain of custody', async (session, ctx) => {
      const result = await verifyCustody(session.db, session.state.name, ctx);
      if (this.session === session) {
        this.verification = result;
        if (!session.ws.readOnly) await saveVerification(session.ws.dir, result).catch(() => undefined);
      }
      ctx.report({
        phase: 'done',
        message: `${result.counts.match} match, ${result.counts.mismatch} changed, ${result.counts.missing} missing`,
      });
      return result;
    });
  }

  exportFindings(request: ExportRequest, appVersion: string): StartedJob<ExportResult> {
    return this.startReader('export:run', `Export findings as ${request.format}`, async (session, ctx) => {
      const result = await exportFindings(
        session.db,
        request,
        { caseState: session.state, caseName: session.state.name, appVersion },
        ctx,
      );
      const where = result.files.length === 1 ? result.files[0]?.path : `${result.files.length} files`;
      ctx.report({ phase: 'done', message: `Exported ${result.findings} findings to ${where}` });
      return result;
    });
  }

  private startReader<T>(
    kind: string,
    label: string,
    work: (session: CaseSession, ctx: JobContext) => Promise<T>,
  ): StartedJob<T> {
    const session = this.current();
    const started = this.jobs.start(kind, label, (ctx) => work(session, ctx));
    this.track(started);
    const done = started.done.catch(() => undefined);
    this.readers.add(done);
    void done.finally(() => this.readers.delete(done));
    return started;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.jobs.cancelAll();
    await Promise.all(this.jobs.list().map((j) => this.jobs.wait(j.jobId)));
    await this.queue;
    await this.closeCurrent();
  }

  private setSession(session: CaseSession | null): void {
    if (session !== this.session) this.verification = null;
    this.session = session;
    if (session) {
      void readVerification(session.ws.dir).then((v) => {
        if (this.session === session && this.verification === null) this.verification = v;
      });
    }
    this.onChange(session ? caseInfo(session) : null);
  }

  private async closeCurrent(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.verification = null;
    await closeSession(session);
  }

  /** Switches to another case (or none): cancels the open case's jobs, then takes the queue. */
  private async switchTo(label: string, open: () => Promise<CaseSession | null>): Promise<CaseInfo | null> {
    if (this.closed) throw new LoupeError('NO_CASE_OPEN', 'The engine is closed.');
    this.cancelCaseJobs();
    return this.serialized(label, undefined, async () => {
      await this.settleReaders();
      const next = await open();
      await this.closeCurrent();
      this.setSession(next);
      return next ? caseInfo(next) : null;
    });
  }

  private cancelCaseJobs(): void {
    for (const id of this.caseJobs) this.jobs.cancel(id);
  }

  private async settleReaders(): Promise<void> {
    await Promise.allSettled([...this.readers]);
  }

  private track(started: StartedJob<unknown>): void {
    this.caseJobs.add(started.jobId);
    void started.done.catch(() => undefined).finally(() => this.caseJobs.delete(started.jobId));
  }

  /**
   * Runs writer work one at a time. Work whose job was cancelled while it waited gives up as
   * soon as it gets its turn.
   */
  private serialized<T>(label: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((done) => (release = done));
    this.pending++;
    return previous
      .then(() => {
        if (signal?.aborted) throw new LoupeError('JOB_CANCELLED', `${label}: cancelled.`);
        return work();
      })
      .finally(() => {
        this.pending--;
        release();
      });
  }

  private busy(what: string): LoupeError {
    return new LoupeError('CASE_BUSY', `${what} has to wait: the case is being loaded or analysed.`, {
      hint: 'Wait for the running job to finish (or cancel it), then try again.',
    });
  }
}

function upsert<T extends { id: string }>(list: readonly T[], items: readonly T[]): T[] {
  const ids = new Set(items.map((i) => i.id));
  return [...list.filter((x) => !ids.has(x.id)), ...items];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function caseName(paths: string[]): string {
  const first = paths[0] ?? 'case';
  const name = basename(first.replace(/[\\/]+$/, '')) || first;
  return paths.length > 1 ? `${name} +${paths.length - 1}` : name;
}
