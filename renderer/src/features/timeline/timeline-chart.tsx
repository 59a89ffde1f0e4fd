import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { SourceName, TimelineHistogram } from '../../../../shared/api/investigate';
import { formatCompact, formatCount, formatTick, formatTime, type TimeZoneMode } from '../../lib/format';
import { SEVERITY_ORDER, severityClass } from '../../lib/severity';

const HEIGHT = 250;
const LEFT = 52;
const RIGHT = 12;
const LANE_TOP = 4;
const LANE_ROW = 9;
const BARS_TOP = LANE_TOP + LANE_ROW * 4 + 10;
const BARS_BOTTOM = HEIGHT - 24;

/** A round axis maximum: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function useWidth(ref: React.RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(Math.max(320, Math.floor(w)));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/**
 * Stacked events per bucket per source, with finding markers by severity above. Drag across
 * the chart to zoom into that range; buckets come from the engine already sized for the zoom.
 */
export function TimelineChart({
  data,
  visible,
  tz,
  onBrush,
  onMarker,
}: {
  data: TimelineHistogram;
  visible: SourceName[];
  tz: TimeZoneMode;
  onBrush: (fromIso: string, toIso: string) => void;
  onMarker: (findingId: string) => void;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useWidth(boxRef);
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);
  const from = Date.parse(data.from ?? '');
  const to = Date.parse(data.to ?? '');
  const plotW = width - LEFT - RIGHT;
  const span = Math.max(1, to - from);
  const x = (ms: number) => LEFT + ((ms - from) / span) * plotW;
  const msAt = (px: number) => from + ((Math.min(Math.max(px, LEFT), LEFT + plotW) - LEFT) / plotW) * span;
  const step = data.bucketSeconds * 1000;
  const barW = Math.max(1, (step / span) * plotW - (step / span) * plotW * 0.12);
  const totals = data.buckets.map((b) => visible.reduce((n, s) => n + b[s], 0));
  const yMax = niceMax(Math.max(0, ...totals));
  const y = (v: number) => BARS_BOTTOM - (v / yMax) * (BARS_BOTTOM - BARS_TOP);

  const tickEvery = Math.max(1, Math.ceil(data.buckets.length / Math.max(2, Math.floor(plotW / 110))));
  const localX = (e: PointerEvent<SVGSVGElement>) => e.clientX - e.currentTarget.getBoundingClientRect().left;

  return (
    <div className="timeline-chart" ref={boxRef}>
      <svg
        height={HEIGHT}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-label={`Events from ${formatTime(data.from, tz)} to ${formatTime(data.to, tz)}`}
        data-testid="timeline-chart"
        onPointerDown={(e) => {
          if ((e.target as Element).classList.contains('marker')) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const px = localX(e);
          setDrag({ x0: px, x1: px });
        }}
        onPointerMove={(e) => {
          if (drag) setDrag({ ...drag, x1: localX(e) });
        }}
        onPointerUp={() => {
          if (drag && Math.abs(drag.x1 - drag.x0) > 4) {
            const a = msAt(Math.min(drag.x0, drag.x1));
            const b = msAt(Math.max(drag.x0, drag.x1));
            if (b - a >= 1000) onBrush(new Date(a).toISOString(), new Date(b).toISOString());
          }
          setDrag(null);
        }}
      >
        <g className="axis">
          <line x1={LEFT} x2={LEFT + plotW} y1={BARS_BOTTOM} y2={BARS_BOTTOM} />
          <line className="gridline" x1={LEFT} x2={LEFT + plotW} y1={y(yMax / 2)} y2={y(yMax / 2)} />
          <line className="gridline" x1={LEFT} x2={LEFT + plotW} y1={y(yMax)} y2={y(yMax)} />
          <text x={LEFT - 6} y={y(yMax) + 4} textAnchor="end">
            {formatCompact(yMax)}
          </text>
          <text x={LEFT - 6} y={y(yMax / 2) + 4} textAnchor="end">
            {formatCompact(yMax / 2)}
          </text>
          <text x={LEFT - 6} y={BARS_BOTTOM + 4} textAnchor="end">
            0
          </text>
          {data.buckets.map((b, i) =>
            i % tickEvery === 0 ? (
              <g key={b.start}>
                <line x1={x(Date.parse(b.start))} x2={x(Date.parse(b.start))} y1={BARS_BOTTOM} y2={BARS_BOTTOM + 4} />
                <text x={x(Date.parse(b.start))} y={HEIGHT - 8} textAnchor="middle">
                  {formatTick(Date.parse(b.start), span / 1000, tz)}
                </text>
              </g>
            ) : null,
          )}
        </g>
        <text className="lane-label" x={LEFT - 6} y={LANE_TOP + LANE_ROW * 2 + 3} textAnchor="end">
          findings
        </text>
        {SEVERITY_ORDER.map((_, row) => (
          <line
            key={row}
            className="gridline"
            x1={LEFT}
            x2={LEFT + plotW}
            y1={LANE_TOP + row * LANE_ROW + LANE_ROW / 2}
            y2={LANE_TOP + row * LANE_ROW + LANE_ROW / 2}
            opacity={0.4}
          />
        ))}
        {data.buckets.map((b, i) => {
          const bx = x(Date.parse(b.start));
          let acc = 0;
          return (
            <g key={b.start}>
              <rect
                className="bucket-hit"
                x={bx}
                y={BARS_TOP}
                width={Math.max(1, (step / span) * plotW)}
                height={BARS_BOTTOM - BARS_TOP}
              >
                <title>
                  {`${formatTime(b.start, tz)} (+${data.bucketSeconds}s)\n${visible.map((s) => `${s}: ${formatCount(b[s])}`).join('\n')}\ntotal: ${formatCount(totals[i] ?? 0)}`}
                </title>
              </rect>
              {visible.map((s) => {
                const v = b[s];
                if (v <= 0) return null;
                const y0 = y(acc);
                acc += v;
                const y1 = y(acc);
                return (
                  <rect
                    key={s}
                    className={`bar-${s}`}
                    x={bx}
                    y={y1}
                    width={barW}
                    height={Math.max(1, y0 - y1)}
                    pointerEvents="none"
                  />
                );
              })}
            </g>
          );
        })}
        {data.markers.map((m) => {
          const row = SEVERITY_ORDER.indexOf(m.severity);
          const cx = x(Date.parse(m.start)) + Math.max(1, (step / span) * plotW) / 2;
          const r = Math.min(4.5, 2.5 + Math.log2(m.count));
          return (
            <circle
              key={`${m.start}-${m.severity}`}
              className={`marker ${severityClass(m.severity)}`}
              cx={cx}
              cy={LANE_TOP + row * LANE_ROW + LANE_ROW / 2}
              r={r}
              data-testid="timeline-marker"
              onClick={() => m.findingIds[0] && onMarker(m.findingIds[0])}
            >
              <title>{`${m.count} ${m.severity} finding${m.count > 1 ? 's' : ''} from ${formatTime(m.start, tz)} — click to open`}</title>
            </circle>
          );
        })}
        {drag ? (
          <rect
            className="brush"
            x={Math.min(drag.x0, drag.x1)}
            y={BARS_TOP}
            width={Math.abs(drag.x1 - drag.x0)}
            height={BARS_BOTTOM - BARS_TOP}
          />
        ) : null}
      </svg>
    </div>
  );
}
