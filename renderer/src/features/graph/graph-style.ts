import type { StylesheetJson } from 'cytoscape';
import type { GraphNodeKind } from '../../../../shared/api/investigate';

/**
 * Cytoscape draws on a canvas and cannot read CSS variables, so the palette is read from the
 * page's computed style once per theme change and turned into a stylesheet here.
 */
export const KIND_LABELS: Record<GraphNodeKind, string> = {
  principal: 'Principal',
  accessKey: 'Access key',
  ip: 'IP address',
  instance: 'Instance',
  bucket: 'S3 bucket',
  domain: 'Domain',
  account: 'Account',
  more: 'More',
};

/** Kind colours stay clear of the severity colours (red, orange, blue), which mark findings. */
export const KIND_COLORS: Record<Exclude<GraphNodeKind, 'more'>, string> = {
  principal: '#66d9e8',
  accessKey: '#ffe066',
  ip: '#adb5bd',
  instance: '#8ce99a',
  bucket: '#e8c39e',
  domain: '#d0bfff',
  account: '#eebefa',
};

const SHAPES: Record<GraphNodeKind, string> = {
  principal: 'ellipse',
  accessKey: 'diamond',
  ip: 'ellipse',
  instance: 'round-rectangle',
  bucket: 'barrel',
  domain: 'hexagon',
  account: 'octagon',
  more: 'round-rectangle',
};

function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function graphStyle(): StylesheetJson {
  const text = cssVar('--text', '#d5dbe3');
  const muted = cssVar('--muted', '#8792a2');
  const bg = cssVar('--bg', '#0e1116');
  const accent = cssVar('--accent', '#5aa9e6');
  const border = cssVar('--border-strong', '#343e4d');
  const sev = {
    Critical: cssVar('--sev-critical', '#e64980'),
    High: cssVar('--sev-high', '#f03e3e'),
    Medium: cssVar('--sev-medium', '#f59f00'),
    Low: cssVar('--sev-low', '#4c9be8'),
  };
  const style: StylesheetJson = [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        color: text,
        'font-size': 10,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-outline-color': bg,
        'text-outline-width': 2,
        width: 'mapData(size, 0, 1, 18, 40)',
        height: 'mapData(size, 0, 1, 18, 40)',
        'border-width': 1,
        'border-color': bg,
      },
    },
    {
      selector: 'node[?seed]',
      style: { 'font-weight': 'bold', 'font-size': 11, 'border-width': 2, 'border-color': text },
    },
    {
      selector: 'edge',
      style: {
        width: 'mapData(weight, 0, 1, 1, 5)',
        'line-color': border,
        'target-arrow-color': border,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.7,
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 8.5,
        color: muted,
        'text-rotation': 'autorotate',
        'text-background-color': bg,
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
      },
    },
    { selector: 'edge[relation = "more"]', style: { 'line-style': 'dashed', 'target-arrow-shape': 'none', label: '' } },
    { selector: ':selected', style: { 'overlay-color': accent, 'overlay-opacity': 0.18, 'overlay-padding': 6 } },
    { selector: 'edge:selected', style: { 'line-color': accent, 'target-arrow-color': accent, color: text } },
  ];
  for (const [kind, shape] of Object.entries(SHAPES)) {
    const color = kind === 'more' ? bg : KIND_COLORS[kind as Exclude<GraphNodeKind, 'more'>];
    style.push({ selector: `node[kind = "${kind}"]`, style: { shape: shape as never, 'background-color': color } });
  }
  style.push({
    selector: 'node[kind = "more"]',
    style: {
      'border-style': 'dashed',
      'border-width': 1,
      'border-color': muted,
      color: muted,
      width: 54,
      height: 18,
      'text-valign': 'center',
      'text-margin-y': 0,
      'font-size': 9,
    },
  });
  // Findings show as a halo in the severity colour around the node, whatever its kind.
  for (const [label, color] of Object.entries(sev)) {
    style.push({
      selector: `node[severity = "${label}"]`,
      style: {
        'border-width': 3,
        'border-color': color,
        'underlay-color': color,
        'underlay-padding': 6,
        'underlay-opacity': 0.35,
        'underlay-shape': 'ellipse',
      } as never,
    });
  }
  return style;
}
