import type { SeverityLabel } from '../../../shared/findings/catalog';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { CaseState } from '../workspace/case-state';
import { analystView } from './case-context';
import type { FindingEvidence } from './evidence';
import { factsOf } from './finding-facts';
import { SEVERITY_COLORS, SEVERITY_ORDER, severityChart, timelinePicture } from './html-charts';
import { markup, SafeHtml } from './html';
import { commandLine, playbookFor } from './playbooks';

/**
 * The case report: one self-contained HTML file (inline CSS and SVG, no scripts, no fonts, no
 * links that load anything; a CSP forbids fetching even if one slipped in) that opens offline
 * in any browser and prints. Every value goes through the `markup` template, so it is escaped.
 */
export type SourceSummary = {
  type: string;
  files: number;
  loaded: number;
  failed: number;
  records: number;
};

export interface ReportInput {
  caseName: string;
  generatedAt: Date;
  findings: readonly GuardDutyFinding[];
  evidence: ReadonlyMap<string, FindingEvidence>;
  caseState?: CaseState;
  sources?: readonly SourceSummary[];
  includeArchived?: boolean;
  /** Loupe's version, printed in the footer. */
  appVersion?: string;
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0; } .muted { color: #666; } table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #eee; word-break: break-word; }
th { background: #f6f6f8; font-weight: 600; } .kv th { width: 180px; background: none; color: #555; font-weight: 500; }
.sev { display: inline-block; color: #fff; border-radius: 3px; padding: 1px 7px; font-size: 12px; font-weight: 600; }
.finding { border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 14px 0; page-break-inside: avoid; }
pre { background: #f6f6f8; padding: 6px 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: 12px; margin: 4px 0; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg .lbl, svg .num { font-size: 13px; } svg .grid { stroke: #e3e3e3; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; } .card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; } details summary { cursor: pointer; }
.note { background: #fffbe6; border-left: 3px solid #e6b800; padding: 6px 10px; margin: 6px 0; white-space: pre-wrap; }
@media print { .finding { break-inside: avoid; } a { color: inherit; } }
`;

function sevBadge(label: SeverityLabel, severity: number): SafeHtml {
  return markup`<span class="sev" style="background:${SEVERITY_COLORS[label]}">${label} ${severity}</span>`;
}

function counts(findings: readonly GuardDutyFinding[]): Record<SeverityLabel, number> {
  const out: Record<SeverityLabel, number> = { Critical: 0, High: 0, Medium: 0, Low: 0 };
  for (const f of findings) out[factsOf(f).severityLabel]++;
  return out;
}

function span(findings: readonly GuardDutyFinding[]): { from: string; to: string } | null {
  const starts = findings.map((f) => Date.parse(f.service?.eventFirstSeen ?? '')).filter((t) => !Number.isNaN(t));
  const ends = findings.map((f) => Date.parse(f.service?.eventLastSeen ?? '')).filter((t) => !Number.isNaN(t));
  if (!starts.length) return null;
  return {
    from: new Date(Math.min(...starts)).toISOString(),
    to: new Date(Math.max(...starts, ...ends)).toISOString(),
  };
}

function findingSection(f: GuardDutyFinding, index: number, input: ReportInput): SafeHtml {
  const x = factsOf(f);
  const view = analystView(input.caseState, f.id);
  const ev = input.evidence.get(f.id);
  const rows: Array<[string, unknown]> = [
    ['Finding id', f.id],
    ['Account / region', `${f.accountId} / ${f.region}`],
    ['Resource', `${x.resourceType} ${x.resourceId}${x.resourceRole ? ` (${x.resourceRole})` : ''}`],
    ['Action', x.actionType],
    ['API', x.api ? `${x.api}${x.serviceName ? ` (${x.serviceName})` : ''}` : null],
    [
      'Principal',
      x.userName
        ? `${x.userName}${x.userType ? ` (${x.userType})` : ''}${x.accessKeyId ? `, key ${x.accessKeyId}` : ''}`
        : null,
    ],
    [
      'Remote address',
      x.remoteIp ? [x.remoteIp, x.remotePort, x.remoteOrg, x.remoteCountry].filter(Boolean).join(' · ') : null,
    ],
    ['Domain', x.domain],
    ['Local port', x.localPort],
    [
      'Threat lists',
      x.threatListNames.length
        ? `${x.threatListNames.join(', ')}${x.threatNames.length ? ` (${x.threatNames.join(', ')})` : ''}`
        : null,
    ],
    ['Occurrences', f.service?.count],
    ['First / last seen', `${f.service?.eventFirstSeen ?? '?'} → ${f.service?.eventLastSeen ?? '?'}`],
    ['Status', `${view.status}${f.service?.archived ? ' (archived)' : ''}`],
    ['Tags', view.tags.length ? view.tags.join(', ') : null],
  ];
  const playbook = playbookFor(f);
  return markup`<section class="finding" id="f-${index}">
  <h3>${sevBadge(x.severityLabel, f.severity)} ${f.type}</h3>
  <p><strong>${f.title}</strong><br>${f.description}</p>
  <table class="kv">${rows
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(
      ([k, v]) =>
        markup`<tr>
          <th>${k}</th>
          <td>${v}</td>
        </tr>`,
    )}</table>
  ${
    view.comments.length
      ? markup`<h4>Analyst comments</h4>
          ${view.comments.map((c) => markup`<div class="note"><span class="muted">${c.author ?? 'analyst'}, ${c.createdAt}:</span> ${c.text}</div>`)}`
      : ''
  }
  <details${ev && ev.events.length ? markup` open` : ''}><summary>Evidence: ${ev ? (ev.events.length < ev.total ? `${ev.events.length} of ${ev.total} events` : `${ev.total} events`) : 'no events recorded'}</summary>
  ${
    ev && ev.events.length
      ? markup`<table>
          <tr>
            <th>Time</th>
            <th>Source</th>
            <th>Event</th>
            <th>File : position</th>
          </tr>
          ${ev.events.map(
            (e) =>
              markup`<tr>
                <td>${e.time ?? '?'}</td>
                <td>${e.source}</td>
                <td>${e.summary}<br /><span class="muted">${e.eventUid}</span></td>
                <td>${e.filePath ?? '?'} : ${e.position ?? '?'}</td>
              </tr>`,
          )}
        </table>`
      : ''
  }
  </details>
  <details><summary>Remediation playbook (${playbook.steps.length} steps; Loupe never runs these)</summary>
  <ol>${playbook.steps.map(
    (s) =>
      markup`<li>
        <strong>${s.title}</strong
        ><br />${s.detail}${s.commands.length ? markup`<pre>${s.commands.map((c) => `${commandLine(c)}\n`)}</pre>` : ''}
      </li>`,
  )}</ol>
  </details>
</section>`;
}

export function renderHtmlReport(input: ReportInput): string {
  const findings = input.findings;
  const sev = counts(findings);
  const when = span(findings);
  const accounts = [...new Set(findings.map((f) => f.accountId))].sort();
  const regions = [...new Set(findings.map((f) => f.region))].sort();
  const byType = new Map<string, { n: number; max: number }>();
  for (const f of findings) {
    const t = byType.get(f.type) ?? { n: 0, max: 0 };
    byType.set(f.type, { n: t.n + 1, max: Math.max(t.max, f.severity) });
  }
  const types = [...byType.entries()].sort((a, b) => b[1].max - a[1].max || b[1].n - a[1].n);
  const picture = timelinePicture(findings);
  const notes = input.caseState?.notes ?? [];
  const generated = input.generatedAt.toISOString();

  const body = markup`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="Loupe${input.appVersion ? ` ${input.appVersion}` : ''}" />
        <title>${input.caseName} · Loupe case report</title>
        <style>
          ${new SafeHtml(CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>${input.caseName}</h1>
          <p class="muted">
            Case report generated ${generated} by Loupe${input.appVersion ? ` ${input.appVersion}` : ''}.
            ${input.includeArchived ? 'Archived findings are included.' : 'Archived findings are not included.'}
          </p>
        </header>

        <h2>Summary</h2>
        <div class="cards">
          <div class="card"><b>${findings.length}</b>findings</div>
          ${SEVERITY_ORDER.map((s) => markup`<div class="card"><b style="color:${SEVERITY_COLORS[s]}">${sev[s]}</b>${s}</div>`)}
          <div class="card"><b>${accounts.length}</b>accounts</div>
          <div class="card"><b>${regions.length}</b>regions</div>
        </div>
        <p>
          ${when ? `Activity from ${when.from} to ${when.to}.` : 'No activity times recorded.'} Accounts:
          ${accounts.join(', ') || 'none'}.
        </p>
        ${severityChart(sev)}
        ${
          types.length
            ? markup`<table>
                <tr>
                  <th>Finding type</th>
                  <th>Findings</th>
                  <th>Highest severity</th>
                </tr>
                ${types.map(
                  ([t, v]) =>
                    markup`<tr>
                      <td>${t}</td>
                      <td>${v.n}</td>
                      <td>${v.max}</td>
                    </tr>`,
                )}
              </table>`
            : ''
        }
        ${
          input.sources && input.sources.length
            ? markup`<h2>Evidence sources</h2>
                <table>
                  <tr>
                    <th>Log type</th>
                    <th>Files</th>
                    <th>Loaded</th>
                    <th>Failed</th>
                    <th>Records</th>
                  </tr>
                  ${input.sources.map(
                    (s) =>
                      markup`<tr>
                        <td>${s.type}</td>
                        <td>${s.files}</td>
                        <td>${s.loaded}</td>
                        <td>${s.failed}</td>
                        <td>${s.records}</td>
                      </tr>`,
                  )}
                </table>
                <p class="muted">The SHA-256 of every source file is in the case's manifest.json.</p>`
            : ''
        }

        <h2>Timeline</h2>
        ${picture.svg}
        ${picture.shown < findings.length ? markup`<p class="muted">Showing the ${picture.shown} most severe of ${findings.length} findings.</p>` : ''}
        ${
          notes.length
            ? markup`<h2>Analyst notes</h2>
                ${notes.map(
                  (n) =>
                    markup`<h3>${n.title || 'Note'}</h3>
                      <p class="muted">${n.author ?? ''} ${n.updatedAt}</p>
                      <div class="note">${n.text}</div>`,
                )}`
            : ''
        }

        <h2>Findings</h2>
        ${findings.length ? findings.map((f, i) => findingSection(f, i, input)) : markup`<p>No findings.</p>`}

        <footer><p class="muted">Generated offline by Loupe. This file loads nothing from the network.</p></footer>
      </body>
    </html> `;
  return body.value;
}
