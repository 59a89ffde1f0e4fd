// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimelineHistogram } from '../../../shared/api/investigate';
import { CaseGate } from '../../../renderer/src/features/case/case-gate';
import { HuntView } from '../../../renderer/src/features/hunt/hunt-view';
import { TimelineChart } from '../../../renderer/src/features/timeline/timeline-chart';
import { createAppStore } from '../../../renderer/src/store';
import { fakeApi } from './fake-api';
import { renderWithStore } from './render';

afterEach(cleanup);

describe('CaseGate', () => {
  it('shows progress while loading, the way in when nothing is open, and the reason when it failed', async () => {
    const store = createAppStore(fakeApi({}).api);
    const view = renderWithStore(
      store,
      <CaseGate>
        <div>views</div>
      </CaseGate>,
    );
    act(() => {
      store.setState((s) => ({
        ingest: { ...s.ingest, phase: 'loading', jobId: 'j' },
        jobs: {
          byId: {
            j: {
              jobId: 'j',
              kind: 'case:open',
              label: 'Open logs',
              status: 'running',
              phase: 'load',
              done: 5,
              total: 10,
              message: 'Loaded 5 of 10 files',
              startedAt: '',
              finishedAt: null,
              error: null,
            },
          },
        },
      }));
    });
    expect(screen.getByTestId('case-loading').textContent).toContain('Loaded 5 of 10 files');
    act(() => store.setState((s) => ({ ingest: { ...s.ingest, phase: 'no-case' } })));
    expect(screen.getByText('No case is open')).toBeTruthy();
    expect(screen.getByLabelText('Path to logs')).toBeTruthy();
    act(() =>
      store.setState((s) => ({
        ingest: {
          ...s.ingest,
          phase: 'failed',
          error: { code: 'FILE_NOT_FOUND', message: 'No such path /evidence', hint: 'Check the path.' },
        },
      })),
    );
    expect(screen.getByRole('alert').textContent).toContain('No such path /evidence');
    act(() => store.setState((s) => ({ ingest: { ...s.ingest, phase: 'ready' } })));
    expect(view.container.textContent).toBe('views');
  });

  it('opens the typed path as a case', async () => {
    const fake = fakeApi({ 'case:open': () => ({ jobId: 'j2' }), 'jobs:list': () => [] });
    const store = createAppStore(fake.api);
    store.setState((s) => ({ ingest: { ...s.ingest, phase: 'no-case' } }));
    renderWithStore(
      store,
      <CaseGate>
        <div />
      </CaseGate>,
    );
    fireEvent.change(screen.getByLabelText('Path to logs'), { target: { value: '/cases/acme/AWSLogs' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    });
    expect(fake.callsTo('case:open')).toEqual([{ paths: ['/cases/acme/AWSLogs'] }]);
    expect(store.getState().ingest).toMatchObject({ phase: 'loading', jobId: 'j2' });
  });
});

const HISTOGRAM: TimelineHistogram = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-03-01T04:00:00.000Z',
  bucketSeconds: 3600,
  sources: ['cloudtrail', 'vpcflow', 'dns'],
  buckets: [
    { start: '2026-03-01T00:00:00.000Z', cloudtrail: 10, vpcflow: 5, dns: 0 },
    { start: '2026-03-01T01:00:00.000Z', cloudtrail: 0, vpcflow: 0, dns: 0 },
    { start: '2026-03-01T02:00:00.000Z', cloudtrail: 3, vpcflow: 0, dns: 2 },
    { start: '2026-03-01T03:00:00.000Z', cloudtrail: 1, vpcflow: 1, dns: 1 },
  ],
  markers: [{ start: '2026-03-01T02:00:00.000Z', severity: 'High', count: 2, findingIds: ['f-1', 'f-2'] }],
  total: 23,
};

describe('TimelineChart', () => {
  it('stacks one bar per non-empty source per bucket and puts markers by severity', () => {
    const onMarker = vi.fn();
    const { container } = renderWithStore(
      createAppStore(fakeApi({}).api),
      <TimelineChart
        data={HISTOGRAM}
        visible={['cloudtrail', 'vpcflow', 'dns']}
        tz="UTC"
        onBrush={() => undefined}
        onMarker={onMarker}
      />,
    );
    expect(container.querySelectorAll('rect.bar-cloudtrail')).toHaveLength(3);
    expect(container.querySelectorAll('rect.bar-vpcflow')).toHaveLength(2);
    expect(container.querySelectorAll('rect.bar-dns')).toHaveLength(2);
    const marker = screen.getByTestId('timeline-marker');
    expect(marker.getAttribute('class')).toContain('sev-high');
    fireEvent.click(marker);
    expect(onMarker).toHaveBeenCalledWith('f-1');
  });

  it('hides the sources switched off', () => {
    const { container } = renderWithStore(
      createAppStore(fakeApi({}).api),
      <TimelineChart
        data={HISTOGRAM}
        visible={['dns']}
        tz="UTC"
        onBrush={() => undefined}
        onMarker={() => undefined}
      />,
    );
    expect(container.querySelectorAll('rect.bar-cloudtrail')).toHaveLength(0);
    expect(container.querySelectorAll('rect.bar-dns')).toHaveLength(2);
  });

  it('turns a drag into a zoom range inside the chart', () => {
    const onBrush = vi.fn();
    renderWithStore(
      createAppStore(fakeApi({}).api),
      <TimelineChart data={HISTOGRAM} visible={['cloudtrail']} tz="UTC" onBrush={onBrush} onMarker={() => undefined} />,
    );
    const svg = screen.getByTestId('timeline-chart');
    // jsdom has no pointer capture; the chart only needs the events.
    (svg as unknown as { setPointerCapture: () => void }).setPointerCapture = () => undefined;
    // The plot spans x = 52 .. 888 of a 900 px chart (jsdom reports the box at 0,0).
    fireEvent.pointerDown(svg, { clientX: 52 + 836 / 4, pointerId: 1 });
    fireEvent.pointerMove(svg, { clientX: 52 + 836 / 2, pointerId: 1 });
    fireEvent.pointerUp(svg, { pointerId: 1 });
    expect(onBrush).toHaveBeenCalledWith('2026-03-01T01:00:00.000Z', '2026-03-01T02:00:00.000Z');
    onBrush.mockClear();
    fireEvent.pointerDown(svg, { clientX: 300, pointerId: 1 });
    fireEvent.pointerUp(svg, { pointerId: 1 });
    expect(onBrush).not.toHaveBeenCalled();
  });
});

describe('HuntView', () => {
  it('lists tables and examples, runs an example, and shows refusals inline', async () => {
    const { ApiError } = await import('../../../renderer/src/lib/api-client');
    const fake = fakeApi({
      'hunt:schema': () => ({
        tables: [{ name: 'cloudtrail', rows: 12, columns: [{ name: 'event_name', type: 'VARCHAR' }] }],
        examples: [
          {
            title: 'Root account activity',
            description: 'Anything root did',
            sql: 'SELECT event_name FROM cloudtrail',
            params: {},
          },
        ],
      }),
      'hunt:query': (input) => {
        if (input.sql.startsWith('DELETE'))
          throw new ApiError('hunt:query', {
            code: 'INVALID_INPUT',
            message: 'Hunt runs read-only queries: only a single SELECT is allowed.',
          });
        return {
          columns: [{ name: 'event_name', type: 'VARCHAR' }],
          rows: [['StopLogging'], [null]],
          offset: 0,
          hasMore: false,
          elapsedMs: 4,
        };
      },
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <HuntView />);
    await screen.findByText('Root account activity');
    expect(screen.getByText('cloudtrail')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('Root account activity'));
    });
    const results = await screen.findByTestId('hunt-results');
    expect(results.textContent).toContain('StopLogging');
    expect(results.textContent).toContain('null');
    fireEvent.change(screen.getByTestId('hunt-sql'), { target: { value: 'DELETE FROM findings' } });
    await act(async () => {
      fireEvent.keyDown(screen.getByTestId('hunt-sql'), { key: 'Enter', ctrlKey: true });
    });
    expect(screen.getByRole('alert').textContent).toContain('read-only');
  });
});
