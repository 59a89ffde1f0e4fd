import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { FindingRow } from '../../../../shared/api/schemas';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { SeverityBadge } from '../../components/severity-badge';
import { formatCount, formatTime, type TimeZoneMode } from '../../lib/format';
import { useAppStore } from '../../store';
import { PAGE_SIZE, type SortBy } from '../../store/findings';

const ROW_HEIGHT = 28;

const COLUMNS: Array<{ label: string; sort?: SortBy; className?: string }> = [
  { label: 'Severity', sort: 'severity' },
  { label: 'Type', sort: 'type' },
  { label: 'Title' },
  { label: 'Resource', sort: 'resource' },
  { label: 'Account', sort: 'account' },
  { label: 'Count', sort: 'count', className: 'num' },
  { label: 'Last seen', sort: 'lastSeen' },
];

function Row({
  row,
  index,
  selected,
  tz,
  onSelect,
}: {
  row: FindingRow | undefined;
  index: number;
  selected: boolean;
  tz: TimeZoneMode;
  onSelect: (row: FindingRow, index: number) => void;
}) {
  if (!row) {
    return (
      <div className="grid-row findings-cols" aria-busy="true">
        <span className="placeholder-bar" />
        <span className="placeholder-bar" />
        <span className="placeholder-bar" />
      </div>
    );
  }
  return (
    <div
      className="grid-row findings-cols"
      role="row"
      aria-selected={selected}
      data-finding-id={row.id}
      onClick={() => onSelect(row, index)}
      style={row.archived ? { opacity: 0.6 } : undefined}
    >
      <span className="cell">
        <SeverityBadge value={row.severity} />
      </span>
      <span className="cell mono" title={row.type}>
        {row.type}
      </span>
      <span className="cell" title={row.title}>
        {row.title}
      </span>
      <span className="cell mono" title={`${row.resourceType} ${row.resourceId}`}>
        {row.resourceId}
      </span>
      <span className="cell mono dim" title={row.region}>
        {row.accountId}
      </span>
      <span className="cell num">{formatCount(row.count)}</span>
      <span className="cell dim">{formatTime(row.lastSeen, tz, { seconds: false })}</span>
    </div>
  );
}

/**
 * The findings list, virtualised: only the rows on screen exist in the DOM, and their pages are
 * fetched as they scroll into view, so 100k findings scroll like 100. Arrow keys / j k move
 * the selection; Home/End and PageUp/PageDown jump.
 */
export function FindingsList() {
  const total = useAppStore((s) => s.findings.total);
  const pages = useAppStore((s) => s.findings.pages);
  const version = useAppStore((s) => s.findings.version);
  const loading = useAppStore((s) => s.findings.loading);
  const error = useAppStore((s) => s.findings.error);
  const sort = useAppStore((s) => s.findings.sort);
  const selectedId = useAppStore((s) => s.findings.selectedId);
  const selectedIndex = useAppStore((s) => s.findings.selectedIndex);
  const tz = useAppStore((s) => s.workspace.timeZone);
  const ensureRows = useAppStore((s) => s.ensureRows);
  const selectFinding = useAppStore((s) => s.selectFinding);
  const moveSelection = useAppStore((s) => s.moveSelection);
  const setSort = useAppStore((s) => s.setSort);
  const loadFindings = useAppStore((s) => s.loadFindings);
  const filtered = useAppStore((s) => Object.keys(s.findings.filter).some((k) => k !== 'archived'));

  const scrollRef = useRef<HTMLDivElement>(null);
  const count = total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 900, height: 700 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (count > 0) void ensureRows(first, last);
  }, [first, last, count, version, ensureRows]);

  // Keep the selection in view when the keyboard moves it.
  useEffect(() => {
    if (selectedIndex !== null && selectedIndex < count) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, count, virtualizer]);

  // Open the first finding once the list arrives, so the detail pane is never empty by accident.
  useEffect(() => {
    const firstRow = pages[0]?.[0];
    if (!selectedId && firstRow) void selectFinding(firstRow.id, 0);
  }, [pages, selectedId, selectFinding]);

  // "/" focuses the search box from anywhere in the list view.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || (e.target instanceof HTMLElement && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName))) return;
      e.preventDefault();
      document.getElementById('findings-search')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const moves: Record<string, number | 'first' | 'last'> = {
      ArrowDown: 1,
      j: 1,
      ArrowUp: -1,
      k: -1,
      PageDown: page,
      PageUp: -page,
      Home: 'first',
      End: 'last',
    };
    const move = moves[e.key];
    if (move === undefined) return;
    e.preventDefault();
    void moveSelection(move);
  };

  if (error) return <ErrorPanel error={error} action={{ label: 'Retry', run: () => void loadFindings() }} />;
  if (total === 0 && !loading) {
    return filtered ? (
      <EmptyState title="No findings match these filters">
        Clear a filter (severity, type, account, time) to see more.
      </EmptyState>
    ) : (
      <EmptyState title="No findings">
        The detections found nothing in these logs. Use <b>Timeline</b> and <b>Hunt</b> to look through the events
        yourself.
      </EmptyState>
    );
  }

  return (
    <>
      <div className="grid-head findings-cols" role="row">
        {COLUMNS.map((c) =>
          c.sort ? (
            <button
              key={c.label}
              type="button"
              className={c.className}
              aria-sort={sort.by === c.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              onClick={() => setSort(c.sort!)}
            >
              {c.label}
            </button>
          ) : (
            <span key={c.label}>{c.label}</span>
          ),
        )}
      </div>
      <div
        ref={scrollRef}
        className="findings-list"
        role="grid"
        aria-label="Findings list"
        aria-rowcount={count}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="findings-list"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = pages[Math.floor(item.index / PAGE_SIZE)]?.[item.index % PAGE_SIZE];
            return (
              <div
                key={item.key}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                <Row
                  row={row}
                  index={item.index}
                  selected={row !== undefined && row.id === selectedId}
                  tz={tz}
                  onSelect={(r, i) => {
                    void selectFinding(r.id, i);
                    scrollRef.current?.focus({ preventScroll: true });
                  }}
                />
              </div>
            );
          })}
        </div>
      </div>
      <div className="list-status">
        <span data-testid="findings-total">{total === null ? 'Loading…' : `${formatCount(total)} findings`}</span>
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>/</kbd> search
        </span>
      </div>
    </>
  );
}
