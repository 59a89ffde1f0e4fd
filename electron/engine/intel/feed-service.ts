import { resolve } from 'node:path';
import type { FeedView, FeedsView, IntelListRecord } from '../../../shared/api/schemas';
import type { JobRegistry } from '../jobs/job-registry';
import { defaultFeedDir, defaultFeedsFile, readFeedsFile, storedFeeds, updateFeeds, type FeedResult } from './feeds';

export interface FeedServiceOptions {
  /** The feeds file (default `$LOUPE_FEEDS_FILE`, else `resources/intel/feeds.json`). */
  feedsFile?: string | undefined;
  /** The feed folder (default: the CLI's, `$LOUPE_CONFIG_DIR/intel` or `~/.loupe/intel`). */
  dir?: string | undefined;
  /** Per-feed download limit. */
  timeoutMs?: number | undefined;
}

/** The job kind of a download (the renderer tracks the job by id). */
const FEEDS_JOB_KIND = 'intel:feeds';

/**
 * The public feeds for the app: what the feeds file names, the copy of each kept in the feed
 * folder (the same folder `loupe intel update` fills, so either can refresh it), and a download
 * job. Downloading happens only when asked; a feed that fails keeps its previous copy and says why.
 */
export class FeedService {
  private readonly attempts = new Map<string, NonNullable<FeedView['lastAttempt']>>();
  private readonly feedsFile: string;
  private readonly dir: string;
  private running: string | null = null;

  constructor(
    private readonly jobs: JobRegistry,
    private readonly options: FeedServiceOptions = {},
  ) {
    this.feedsFile = resolve(options.feedsFile ?? defaultFeedsFile());
    this.dir = resolve(options.dir ?? defaultFeedDir());
  }

  /** Every feed of the feeds file, then any other copy in the folder; `lists`: the case's records. */
  view(lists: readonly IntelListRecord[] | null): FeedsView {
    let specs: ReturnType<typeof readFeedsFile> = [];
    let error: string | null = null;
    try {
      specs = readFeedsFile(this.feedsFile);
    } catch (e) {
      error = (e as Error).message;
    }
    const stored = new Map(storedFeeds(this.dir).map((f) => [f.name, f]));
    const entry = (f: Pick<FeedView, 'name' | 'url' | 'category' | 'kind'> & { description?: string }): FeedView => {
      const kept = stored.get(f.name);
      const copy = kept
        ? { fetchedAt: kept.fetchedAt, entries: kept.entries, sha256: kept.sha256, path: kept.path }
        : null;
      const record = copy ? lists?.find((r) => resolve(r.source) === copy.path) : undefined;
      return {
        name: f.name,
        description: f.description ?? null,
        url: f.url,
        category: f.category,
        kind: f.kind,
        copy,
        lastAttempt: this.attempts.get(f.name) ?? null,
        inCase: record ? { id: record.id, importedAt: record.importedAt, enabled: record.enabled } : null,
      };
    };
    // Copies of feeds the file no longer names (or a CLI run with another --feeds) are still listed.
    const named = new Set(specs.map((s) => s.name));
    const feeds = [...specs.map(entry), ...[...stored.values()].filter((f) => !named.has(f.name)).map(entry)];
    return { dir: this.dir, feedsFile: this.feedsFile, feeds, error };
  }

  /** Starts downloading every feed (one job at a time: a second call returns the running job). */
  fetch(): { jobId: string } {
    if (this.running && this.jobs.get(this.running).status === 'running') return { jobId: this.running };
    const started = this.jobs.start(FEEDS_JOB_KIND, 'Download threat feeds', async (ctx) => {
      const total = readFeedsFile(this.feedsFile).length;
      let done = 0;
      ctx.report({ phase: 'download', done, total, message: `Downloading ${total} feeds` });
      const results = await updateFeeds({
        feedsFile: this.feedsFile,
        dir: this.dir,
        signal: ctx.signal,
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
        report: (line) => ctx.report({ done: done++, total, message: line }),
      });
      const at = new Date().toISOString();
      for (const r of results) this.attempts.set(r.name, { at, ok: r.ok, error: r.error ?? null });
      ctx.report({ phase: 'done', done: total, total, message: summary(results) });
      return results;
    });
    this.running = started.jobId;
    return { jobId: started.jobId };
  }
}

/** One line for the job's end: how many updated, and each failure with its reason. */
export function summary(results: readonly FeedResult[]): string {
  const failed = results.filter((r) => !r.ok);
  const head = `${results.length - failed.length} of ${results.length} feeds updated`;
  if (failed.length === 0) return `${head}.`;
  return `${head}; ${failed.map((r) => `${r.name}: ${r.error ?? 'failed'}${r.copy ? ' (previous copy kept)' : ''}`).join('; ')}.`;
}
