import type { SourceName, TimelineEvent, TimelineHistogram } from '../../../shared/api/investigate';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

export const TIMELINE_BUCKETS = 120;
export const EVENTS_PAGE = 100;
export const ALL_SOURCES: readonly SourceName[] = ['cloudtrail', 'vpcflow', 'dns'];

export interface TimelineSlice {
  timeline: {
    data: TimelineHistogram | null;
    loading: boolean;
    error: ErrorInfo | null;
    seq: number;
    /** Sources shown; the scope's `sources` filter, kept here so toggling is one click. */
    hidden: SourceName[];
    events: { rows: TimelineEvent[]; total: number; offset: number; loading: boolean; error: ErrorInfo | null };
  };
  loadTimeline(): Promise<void>;
  loadEvents(offset: number): Promise<void>;
  toggleSource(source: SourceName): void;
  /** Zoom to [from, to) (ISO); the brush and the zoom buttons land here. */
  zoomTo(from: string, to: string): void;
  zoomOut(): void;
  pan(direction: -1 | 1): void;
  resetZoom(): void;
}

export function createTimelineSlice({ set, get, api }: SliceDeps): TimelineSlice {
  const patch = patcher(set, 'timeline');
  const scope = () => {
    const s = get().workspace.scope;
    const hidden = get().timeline.hidden;
    return hidden.length ? { ...s, sources: ALL_SOURCES.filter((x) => !hidden.includes(x)) } : s;
  };
  const span = (): [number, number] | null => {
    const d = get().timeline.data;
    if (!d?.from || !d.to) return null;
    return [Date.parse(d.from), Date.parse(d.to)];
  };
  return {
    timeline: {
      data: null,
      loading: false,
      error: null,
      seq: 0,
      hidden: [],
      events: { rows: [], total: 0, offset: 0, loading: false, error: null },
    },
    loadTimeline: async () => {
      const seq = get().timeline.seq + 1;
      patch({ seq, loading: true, error: null });
      const events = get().loadEvents(0);
      try {
        const data = await api['timeline:histogram']({ scope: scope(), buckets: TIMELINE_BUCKETS });
        if (get().timeline.seq === seq) patch({ data, loading: false });
      } catch (error) {
        if (get().timeline.seq === seq) patch({ loading: false, error: toErrorInfo(error) });
      }
      await events;
    },
    loadEvents: async (offset) => {
      const seq = get().timeline.seq;
      patch((s) => ({ events: { ...s.events, offset, loading: true, error: null } }));
      try {
        const page = await api['timeline:events']({ scope: scope(), offset, limit: EVENTS_PAGE });
        if (get().timeline.seq === seq)
          patch({ events: { rows: page.rows, total: page.total, offset, loading: false, error: null } });
      } catch (error) {
        if (get().timeline.seq === seq)
          patch((s) => ({ events: { ...s.events, loading: false, error: toErrorInfo(error) } }));
      }
    },
    toggleSource: (source) => {
      patch((s) => ({
        hidden: s.hidden.includes(source) ? s.hidden.filter((x) => x !== source) : [...s.hidden, source],
      }));
      void get().loadTimeline();
    },
    zoomTo: (from, to) => get().setScope({ from, to }),
    zoomOut: () => {
      const s = span();
      if (!s) return;
      const [a, b] = s;
      const half = Math.max(b - a, 60_000);
      get().setScope({ from: new Date(a - half / 2).toISOString(), to: new Date(b + half / 2).toISOString() });
    },
    pan: (direction) => {
      const s = span();
      if (!s) return;
      const [a, b] = s;
      const shift = ((b - a) / 2) * direction;
      get().setScope({ from: new Date(a + shift).toISOString(), to: new Date(b + shift).toISOString() });
    },
    resetZoom: () => get().setScope({ from: undefined, to: undefined }),
  };
}
