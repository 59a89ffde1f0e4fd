import { describe, expect, it } from 'vitest';
import { escapeHtml, markup } from '../../../electron/engine/export/html';
import { renderHtmlReport } from '../../../electron/engine/export/html-report';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { ALL, HOSTILE, hostile, sshBruteForce } from './fixtures';

function report(extra: Partial<Parameters<typeof renderHtmlReport>[0]> = {}): string {
  const state = emptyCaseState(HOSTILE);
  state.notes.push({
    id: 'n1',
    title: 'Scope <b>',
    text: `Only prod.\n${HOSTILE}`,
    createdAt: '2025-02-01T00:00:00Z',
    updatedAt: '2025-02-01T00:00:00Z',
  });
  state.findings['f-ssh'] = {
    status: 'investigating',
    tags: ['bastion'],
    updatedAt: '2025-02-02T00:00:00Z',
    comments: [{ id: 'c1', text: HOSTILE, createdAt: '2025-02-02T00:00:00Z' }],
  };
  return renderHtmlReport({
    caseName: HOSTILE,
    generatedAt: new Date('2025-02-05T00:00:00Z'),
    findings: ALL(),
    evidence: new Map([
      [
        'f-ssh',
        {
          total: 120,
          events: [
            {
              source: 'vpcflow',
              eventUid: 'ev1',
              time: '2025-02-01T10:00:00.000Z',
              summary: HOSTILE,
              filePath: '/logs/<flow>.log.gz',
              position: 7,
            },
          ],
        },
      ],
    ]),
    caseState: state,
    sources: [{ type: 'cloudtrail', files: 3, loaded: 2, failed: 1, records: 1234 }],
    appVersion: '0.1.0',
    ...extra,
  });
}

describe('escaping', () => {
  it('escapes interpolations unless they are html results', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = markup`<b>${'<i>'}</b>`;
    expect(markup`<p>${inner}${['<x>', inner]}${null}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;x&gt;<b>&lt;i&gt;</b>0</p>',
    );
  });
});

describe('HTML case report', () => {
  const page = report();

  it('is one self-contained page: no scripts, nothing loaded from anywhere, a CSP that forbids it', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toMatch(
      /<meta\s+http-equiv="Content-Security-Policy"\s+content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/,
    );
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<(link|iframe|object|embed|img)\b/i);
    expect(page).not.toMatch(/\s(src|href)\s*=/i);
    expect(page).not.toMatch(/url\(/i);
    expect(page).not.toMatch(/@import/i);
  });

  it('escapes every value from findings, notes and evidence', () => {
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('Scope &lt;b&gt;');
    expect(page).toContain('/logs/&lt;flow&gt;.log.gz : 7');
    // The only tags present are the ones the template writes.
    const tags = new Set([...page.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]?.toLowerCase()));
    for (const t of tags)
      expect([
        'html',
        'head',
        'meta',
        'title',
        'style',
        'body',
        'header',
        'h1',
        'h2',
        'h3',
        'h4',
        'p',
        'div',
        'b',
        'svg',
        'text',
        'rect',
        'line',
        'table',
        'tr',
        'th',
        'td',
        'section',
        'span',
        'strong',
        'br',
        'details',
        'summary',
        'ol',
        'li',
        'pre',
        'footer',
      ]).toContain(t);
  });

  it('has the summary, chart, timeline, notes, findings with evidence and playbooks', () => {
    expect(page).toContain('<div class="card"><b>8</b>findings</div>');
    expect(page).toMatch(/<svg\s+role="img"\s+aria-label="Findings by severity"/);
    expect(page).toMatch(/<svg\s+role="img"\s+aria-label="Findings over time"/);
    expect(page).toContain('<h2>Analyst notes</h2>');
    expect(page).toContain('Evidence: 1 of 120 events');
    expect(page).toContain('Remediation playbook');
    expect(page).toContain('aws iam update-access-key');
    expect(page).toContain('Archived findings are not included.');
    expect(page).toMatch(/<td>cloudtrail<\/td>\s*<td>3<\/td>\s*<td>2<\/td>\s*<td>1<\/td>\s*<td>1234<\/td>/);
    // One critical finding: the 9.5 hostile one.
    expect(page).toMatch(/<b style="color:#7b1020">1<\/b>Critical/);
  });

  it('says how many findings the timeline picture leaves out', () => {
    const many = Array.from({ length: 70 }, (_, i) => sshBruteForce(`f-${i}`));
    const big = renderHtmlReport({ caseName: 'c', generatedAt: new Date(), findings: many, evidence: new Map() });
    expect(big).toContain('Showing the 60 most severe of 70 findings.');
    expect(renderHtmlReport({ caseName: 'c', generatedAt: new Date(), findings: [], evidence: new Map() })).toContain(
      '<p>No findings.</p>',
    );
    expect(report({ findings: [hostile()] })).toContain('Critical 9.5');
  });
});
