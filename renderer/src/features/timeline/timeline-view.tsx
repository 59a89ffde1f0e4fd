import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount, formatDuration, formatTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { ALL_SOURCES } from '../../store/timeline';
import { EventList } from './event-list';
import { TimelineChart } from './timeline-chart';

export function TimelineView() {
  const data = useAppStore((s) => s.timeline.data);
  const loading = useAppStore((s) => s.timeline.loading);
  const error = useAppStore((s) => s.timeline.error);
  const hidden = useAppStore((s) => s.timeline.hidden);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const scopeKey = useAppStore((s) => JSON.stringify(s.workspace.scope));
  const scoped = useAppStore((s) => !!(s.workspace.scope.from || s.workspace.scope.to));
  const actions = useAppStore(
    useShallow((s) => ({
      loadTimeline: s.loadTimeline,
      zoomTo: s.zoomTo,
      zoomOut: s.zoomOut,
      pan: s.pan,
      resetZoom: s.resetZoom,
      toggleSource: s.toggleSource,
      selectFinding: s.selectFinding,
      setView: s.setView,
    })),
  );

  useEffect(() => {
    void actions.loadTimeline();
  }, [scopeKey, actions]);

  const sums = Object.fromEntries(ALL_SOURCES.map((s) => [s, data?.buckets.reduce((n, b) => n + b[s], 0) ?? 0]));
  const visible = (data?.sources ?? []).filter((s) => !hidden.includes(s));
  return (
    <div className="view">
      <div className="toolbar">
        <span className="range-label" data-testid="timeline-range">
          {data?.from
            ? `${formatTime(data.from, tz, { seconds: false })} → ${formatTime(data.to, tz, { seconds: false })}`
            : 'No events'}
        </span>
        {data?.bucketSeconds ? <span className="dim">buckets of {formatDuration(data.bucketSeconds)}</span> : null}
        <span className="sep" />
        <button type="button" className="small" onClick={() => actions.pan(-1)} disabled={!data?.from} title="Earlier">
          ←
        </button>
        <button type="button" className="small" onClick={() => actions.pan(1)} disabled={!data?.from} title="Later">
          →
        </button>
        <button type="button" className="small" onClick={actions.zoomOut} disabled={!data?.from}>
          Zoom out
        </button>
        <button type="button" className="small" onClick={actions.resetZoom} disabled={!scoped}>
          Whole case
        </button>
        <span className="dim">Drag across the chart to zoom in.</span>
        <span style={{ marginLeft: 'auto', display: 'inline-flex', gap: 6 }}>
          {ALL_SOURCES.map((s) => (
            <button
              key={s}
              type="button"
              className="source-toggle small"
              aria-pressed={!hidden.includes(s)}
              onClick={() => actions.toggleSource(s)}
            >
              <span className={`swatch src-${s}`} />
              {s} <span className="dim">&nbsp;{formatCount(sums[s] ?? 0)}</span>
            </button>
          ))}
        </span>
      </div>
      {loading ? <div className="loading-line" /> : <div style={{ height: 2 }} />}
      {error ? <ErrorPanel error={error} action={{ label: 'Retry', run: () => void actions.loadTimeline() }} /> : null}
      {data && data.buckets.length > 0 ? (
        <TimelineChart
          data={data}
          visible={visible}
          tz={tz}
          onBrush={actions.zoomTo}
          onMarker={(id) => {
            void actions.selectFinding(id);
            actions.setView('findings');
          }}
        />
      ) : null}
      <EventList />
    </div>
  );
}
