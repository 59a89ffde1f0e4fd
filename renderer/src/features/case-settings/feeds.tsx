import { useEffect } from 'react';
import type { FeedView } from '../../../../shared/api/schemas';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';

/** What the case does with a feed's copy: not used, used and current, or used with a newer copy kept. */
export function feedUse(feed: FeedView): 'none' | 'current' | 'stale' {
  if (!feed.inCase) return 'none';
  if (feed.copy && feed.copy.fetchedAt > feed.inCase.importedAt) return 'stale';
  return 'current';
}

function FeedRow({ feed, readOnly }: { feed: FeedView; readOnly: boolean }) {
  const tz = useAppStore((s) => s.workspace.timeZone);
  const busy = useAppStore((s) => s.caseSettings.intel.busy);
  const caseOpen = useAppStore((s) => s.workspace.info?.caseOpen ?? false);
  const use = useAppStore((s) => s.useFeed);
  const state = feedUse(feed);
  const attempt = feed.lastAttempt;
  return (
    <tr data-testid="feed-row" data-feed={feed.name}>
      <td className="wrap feed-name">
        <b>{feed.name}</b> <span className="tag">{feed.kind}</span> <span className="dim">{feed.category}</span>
        {feed.description ? <div className="dim">{feed.description}</div> : null}
        <div className="dim mono feed-url" title={feed.url}>
          {feed.url}
        </div>
      </td>
      <td data-testid="feed-copy">
        {feed.copy ? (
          <>
            {formatCount(feed.copy.entries)} entries
            <div className="dim">fetched {formatTime(feed.copy.fetchedAt, tz, { seconds: false })}</div>
          </>
        ) : (
          <span className="dim">never fetched</span>
        )}
      </td>
      <td data-testid="feed-attempt" className="wrap feed-attempt">
        {attempt ? (
          attempt.ok ? (
            <span className="ok-text">downloaded</span>
          ) : (
            <span className="bad">{attempt.error}</span>
          )
        ) : (
          <span className="dim">—</span>
        )}
      </td>
      <td className="wrap">
        <div data-testid="feed-use">
          {state === 'none' ? <span className="dim">not used</span> : null}
          {state === 'current' ? <span>in use{feed.inCase?.enabled ? '' : ' (switched off)'}</span> : null}
          {state === 'stale' ? <span className="bad">in use; a newer copy was fetched</span> : null}
        </div>
        {state !== 'current' ? (
          <button
            type="button"
            className="small"
            disabled={!feed.copy || !caseOpen || readOnly || busy}
            title={feed.copy ? '' : 'Download the feed first'}
            aria-label={state === 'stale' ? `Use the newer copy of ${feed.name}` : `Use ${feed.name} in this case`}
            onClick={() => void use(feed)}
          >
            {state === 'stale' ? 'Use newer copy' : 'Use in case'}
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/**
 * The public feeds of `resources/intel/feeds.json`: the copy of each kept on this computer (the
 * folder `loupe intel update` fills too), the last download's outcome, and whether the case uses
 * it. Downloading needs the internet and happens only on the button; a copy is used in a case as
 * a threat or trusted list, like an imported file.
 */
export function Feeds({ readOnly }: { readOnly: boolean }) {
  const feeds = useAppStore((s) => s.caseSettings.feeds);
  const job = useAppStore((s) => (s.caseSettings.feeds.jobId ? s.jobs.byId[s.caseSettings.feeds.jobId] : undefined));
  const load = useAppStore((s) => s.loadFeeds);
  const fetchFeeds = useAppStore((s) => s.fetchFeeds);

  useEffect(() => {
    void load();
  }, [load]);

  const view = feeds.view;
  const running = feeds.jobId !== null;
  return (
    <div className="feeds" data-testid="feeds">
      <h4>
        Public feeds
        <span className="right">
          <button type="button" className="small" disabled={running} onClick={() => void fetchFeeds()}>
            {running ? 'Downloading…' : 'Download feeds now'}
          </button>
        </span>
      </h4>
      {feeds.error ? <ErrorPanel error={feeds.error} action={{ label: 'Retry', run: () => void load() }} /> : null}
      {view?.error ? <ErrorPanel error={{ code: 'INVALID_INPUT', message: view.error }} /> : null}
      {running && job ? (
        <p className="dim" data-testid="feeds-progress">
          {job.message}
        </p>
      ) : null}
      {view && view.feeds.length > 0 ? (
        <table className="data-table" data-testid="feeds-table">
          <thead>
            <tr>
              <th>Feed</th>
              <th>Copy kept</th>
              <th>Last download</th>
              <th>This case</th>
            </tr>
          </thead>
          <tbody>
            {view.feeds.map((f) => (
              <FeedRow key={f.name} feed={f} readOnly={readOnly} />
            ))}
          </tbody>
        </table>
      ) : null}
      {view ? (
        <p className="dim">
          Copies are kept in <span className="mono">{view.dir}</span>, shared with{' '}
          <span className="mono">loupe intel update</span>. Downloading needs the internet; a feed that fails keeps its
          previous copy, and cases keep the list they loaded until you use a newer copy.
        </p>
      ) : null}
    </div>
  );
}
