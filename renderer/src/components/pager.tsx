import { formatCount } from '../lib/format';

/** "1–50 of 1,234" with previous/next. `total` null means "unknown, maybe more". */
export function Pager({
  offset,
  count,
  total,
  pageSize,
  hasMore,
  onPage,
  busy = false,
}: {
  offset: number;
  count: number;
  total: number | null;
  pageSize: number;
  hasMore?: boolean;
  onPage: (offset: number) => void;
  busy?: boolean;
}) {
  const more = total === null ? !!hasMore : offset + count < total;
  return (
    <span className="pager">
      <span>
        {count === 0 ? 'none' : `${formatCount(offset + 1)}–${formatCount(offset + count)}`}
        {total !== null ? ` of ${formatCount(total)}` : more ? ' (more)' : ''}
      </span>
      <button
        type="button"
        className="small"
        disabled={busy || offset === 0}
        onClick={() => onPage(Math.max(0, offset - pageSize))}
      >
        ‹ Prev
      </button>
      <button type="button" className="small" disabled={busy || !more} onClick={() => onPage(offset + pageSize)}>
        Next ›
      </button>
    </span>
  );
}
