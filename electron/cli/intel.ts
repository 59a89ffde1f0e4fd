import { defaultFeedDir, updateFeeds, type FeedResult } from '../engine/intel/feeds';
import type { IntelUpdateArgs } from './args';
import { EXIT_FAILED, EXIT_OK, printError, type Output } from './common';

/** `loupe intel update`: one line per feed saying what is in use now, and from when. */
export async function runIntelUpdate(args: IntelUpdateArgs, io: Output): Promise<number> {
  const dir = args.dir ?? defaultFeedDir();
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  let results: FeedResult[];
  try {
    results = await updateFeeds({
      ...(args.feeds === undefined ? {} : { feedsFile: args.feeds }),
      dir,
      signal: abort.signal,
      ...(args.timeoutSeconds === undefined ? {} : { timeoutMs: args.timeoutSeconds * 1000 }),
      report: (line) => io.err(line),
    });
  } catch (error) {
    printError(io, 'intel', error);
    return EXIT_FAILED;
  } finally {
    process.off('SIGINT', stop);
  }
  for (const r of results) io.out(describeFeed(r));
  const failed = results.filter((r) => !r.ok).length;
  io.out(
    `Feeds: ${results.length - failed} updated, ${failed} failed; kept in ${dir}` +
      (failed > 0 ? ' (failed feeds keep their previous copy, if any)' : ''),
  );
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

export function describeFeed(r: FeedResult): string {
  const what = `${r.name} (${r.category}, ${r.kind})`;
  if (r.ok && r.copy) {
    return `${what}: updated, ${r.copy.entries} entries${r.changed ? '' : ' (same as before)'}, fetched ${r.copy.fetchedAt}, sha256 ${r.copy.sha256.slice(0, 16)}`;
  }
  const reason = `${what}: not updated: ${r.error ?? 'unknown error'}`;
  return r.copy
    ? `${reason}; using the copy fetched ${r.copy.fetchedAt} (${r.copy.entries} entries)`
    : `${reason}; no earlier copy, so scans do without this feed`;
}
