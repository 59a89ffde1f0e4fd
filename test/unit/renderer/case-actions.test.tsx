// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseState, CustodyRow, PlaybookView, SuppressionRule } from '../../../shared/api/schemas';
import { CASE_FORMAT_VERSION } from '../../../shared/api/schemas';
import { CasePanel } from '../../../renderer/src/features/case-actions/case-panel';
import { ExportMenu } from '../../../renderer/src/features/case-actions/export-menu';
import { FindingDetail } from '../../../renderer/src/features/findings/finding-detail';
import { createAppStore } from '../../../renderer/src/store';
import { CASE_NOTE_ID, likeCriterion } from '../../../renderer/src/store/case-actions';
import { fakeApi, noCounts, type Handlers } from './fake-api';
import { renderWithStore } from './render';

afterEach(cleanup);

const NOW = '2026-03-02T09:00:00.000Z';

function caseState(over: Partial<CaseState> = {}): CaseState {
  return {
    formatVersion: CASE_FORMAT_VERSION,
    name: 'case',
    createdAt: NOW,
    updatedAt: NOW,
    notes: [],
    findings: {},
    tags: [],
    bookmarks: [],
    savedQueries: [],
    suppressionRules: [],
    intelLists: [],
    settings: { displayTimeZone: 'UTC', disabledRules: [] },
    accounts: [],
    organization: null,
    notifications: [],
    ...over,
  };
}

const FINDING = {
  id: 'f-key',
  type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
  severity: 2,
  accountId: '111122223333',
  region: 'us-east-1',
  title: 'CloudTrail logging was disabled.',
  resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIAALICE', userName: 'alice' } },
  service: { archived: false, count: 1 },
};

const PLAYBOOK: PlaybookView = {
  findingId: 'f-key',
  type: FINDING.type,
  title: FINDING.title,
  severity: 2,
  severityLabel: 'Low',
  accountId: '111122223333',
  region: 'us-east-1',
  summary: 'Turn logging back on and find out who turned it off.',
  steps: [
    {
      title: 'Restart logging',
      detail: 'Logging must run while you investigate.',
      commands: [
        { line: "aws cloudtrail start-logging --name 'main'", commented: false, note: null },
        {
          line: "# aws iam update-access-key --access-key-id 'AKIAALICE' --status Inactive",
          commented: true,
          note: null,
        },
      ],
    },
  ],
  script: '#!/usr/bin/env bash\nset -euo pipefail\n',
};

/** A finding detail engine whose case state lives in `state` and changes as the UI writes it. */
function detailEngine(extra: Handlers = {}) {
  let state = caseState();
  let archived = false;
  const fake = fakeApi({
    'findings:get': () => ({ ...FINDING, service: { ...FINDING.service, archived } }),
    'findings:evidence': () => ({ total: 0, rows: [] }),
    'findings:list': () => ({ total: 0, rows: [] }),
    'findings:counts': () => noCounts,
    'findings:playbook': () => PLAYBOOK,
    'case:state': () => state,
    'case:updateState': (patch) => {
      const findings = { ...state.findings };
      for (const [id, p] of Object.entries(patch.findings ?? {})) {
        const old = findings[id] ?? { status: 'new' as const, comments: [], tags: [], updatedAt: NOW };
        findings[id] = {
          ...old,
          status: p?.status ?? old.status,
          comments: p?.comment
            ? [...old.comments, { id: `c${old.comments.length}`, text: p.comment.text, createdAt: NOW }]
            : old.comments,
        };
      }
      state = { ...state, findings, notes: (patch.notes as CaseState['notes'] | undefined) ?? state.notes };
      return state;
    },
    'findings:archive': (input) => {
      archived = true;
      return { updated: input.ids.length, deferred: false };
    },
    'findings:unarchive': (input) => {
      archived = false;
      return { updated: input.ids.length, deferred: false };
    },
    ...extra,
  });
  return fake;
}

describe('likeCriterion', () => {
  it('matches the type, the account and the most specific resource field', () => {
    expect(likeCriterion(FINDING)).toEqual({
      type: { eq: [FINDING.type] },
      accountId: { eq: ['111122223333'] },
      'resource.accessKeyDetails.accessKeyId': { eq: ['AKIAALICE'] },
    });
    const instance = { type: 'T', accountId: '1', resource: { instanceDetails: { instanceId: 'i-0abc' } } };
    expect(likeCriterion(instance)['resource.instanceDetails.instanceId']).toEqual({ eq: ['i-0abc'] });
  });
});

describe('finding detail case actions', () => {
  it('archives and unarchives, refreshing the list and the detail', async () => {
    const fake = detailEngine();
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-key'));
    renderWithStore(store, <FindingDetail />);
    const toggle = screen.getByTestId('archive-toggle');
    expect(toggle.textContent).toBe('Archive');
    await act(async () => {
      fireEvent.click(toggle);
    });
    expect(fake.callsTo('findings:archive')).toEqual([{ ids: ['f-key'] }]);
    await waitFor(() => expect(screen.getByTestId('archive-toggle').textContent).toBe('Unarchive'));
    expect(fake.callsTo('findings:list').length).toBeGreaterThan(0);
    await act(async () => {
      fireEvent.click(screen.getByTestId('archive-toggle'));
    });
    expect(fake.callsTo('findings:unarchive')).toEqual([{ ids: ['f-key'] }]);
    await waitFor(() => expect(screen.getByTestId('archive-toggle').textContent).toBe('Archive'));
  });

  it('saves a status and a comment with case:updateState and shows the comment', async () => {
    const fake = detailEngine();
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-key'));
    renderWithStore(store, <FindingDetail />);
    await waitFor(() => expect(store.getState().caseActions.finding.busy).toBe(false));
    fireEvent.change(screen.getByTestId('finding-status'), { target: { value: 'investigating' } });
    fireEvent.change(screen.getByTestId('finding-comment'), { target: { value: 'Asked alice.' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('finding-save'));
    });
    expect(fake.callsTo('case:updateState')).toEqual([
      { findings: { 'f-key': { status: 'investigating', comment: { text: 'Asked alice.' } } } },
    ]);
    expect(screen.getByTestId('finding-comments').textContent).toContain('Asked alice.');
    expect((screen.getByTestId('finding-comment') as HTMLTextAreaElement).value).toBe('');
    expect((screen.getByTestId('finding-status') as HTMLSelectElement).value).toBe('investigating');
  });

  it('creates a suppression rule from the finding and reloads the list', async () => {
    const saved: unknown[] = [];
    const fake = detailEngine({
      'suppression:save': (input) => {
        saved.push(input.rule);
        const rule: SuppressionRule = {
          ...input.rule,
          id: 'r1',
          description: '',
          enabled: true,
          criterion: input.rule.criterion as SuppressionRule['criterion'],
          createdAt: NOW,
          updatedAt: NOW,
        };
        return { rule, archived: 4, unarchived: 0, deferred: false };
      },
    });
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-key'));
    renderWithStore(store, <FindingDetail />);
    const listCalls = fake.callsTo('findings:list').length;
    await act(async () => {
      fireEvent.click(screen.getByTestId('suppress-like'));
    });
    expect(saved).toEqual([expect.objectContaining({ criterion: likeCriterion(FINDING) })]);
    expect(fake.callsTo('findings:list').length).toBe(listCalls + 1);
    const toast = store.getState().notifications.toasts.at(-1);
    expect(toast).toMatchObject({
      kind: 'success',
      title: 'Suppression rule saved',
      message: '4 finding(s) archived.',
    });
  });

  it('shows the playbook steps with their commands, copyable, and never runs them', async () => {
    const fake = detailEngine();
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-key'));
    renderWithStore(store, <FindingDetail />);
    const panel = await screen.findByTestId('playbook');
    await waitFor(() => expect(panel.textContent).toContain('Restart logging'));
    expect(within(panel).getByText(/aws cloudtrail start-logging/).tagName).toBe('PRE');
    expect(within(panel).getByRole('button', { name: 'Copy script' })).toBeTruthy();
    expect(fake.callsTo('findings:playbook')).toEqual([{ id: 'f-key' }]);
  });
});

describe('export menu', () => {
  it('runs export:run with the chosen format and path and toasts the job result', async () => {
    const fake = fakeApi({
      'export:run': () => ({ jobId: 'j-exp' }),
      'jobs:list': () => [],
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <ExportMenu />);
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    const menu = screen.getByTestId('export-menu');
    const run = within(menu).getByRole('button', { name: 'Run export' }) as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    fireEvent.change(within(menu).getByRole('combobox'), { target: { value: 'asff' } });
    fireEvent.change(within(menu).getByPlaceholderText('/path/to/output'), { target: { value: ' out/asff.json ' } });
    await act(async () => {
      fireEvent.click(run);
    });
    expect(fake.callsTo('export:run')).toEqual([{ format: 'asff', outPath: 'out/asff.json', includeArchived: false }]);
    act(() => store.getState().jobFinished({ jobId: 'j-exp', status: 'ok', error: null }));
    expect(store.getState().notifications.toasts.at(-1)).toMatchObject({
      kind: 'job',
      title: 'Export asff',
      status: 'ok',
      message: 'Written to out/asff.json',
    });
    act(() => store.getState().jobFinished({ jobId: 'j-other', status: 'ok', error: null }));
    expect(store.getState().notifications.toasts.filter((t) => t.title === 'Export asff')).toHaveLength(2);
  });

  it('shows a failed export as an error toast', async () => {
    const fake = fakeApi({ 'export:run': () => ({ jobId: 'j2' }), 'jobs:list': () => [] });
    const store = createAppStore(fake.api);
    await act(() => store.getState().runExport('csv', 'x.csv', true));
    store
      .getState()
      .jobFinished({ jobId: 'j2', status: 'failed', error: { code: 'EXISTS', message: 'x.csv exists.' } });
    expect(store.getState().notifications.toasts.at(-1)).toMatchObject({
      kind: 'error',
      title: 'Export csv',
      error: { code: 'EXISTS' },
    });
  });
});

describe('case panel', () => {
  const ROW: CustodyRow = {
    fileId: 1,
    path: 'logs/ct.json.gz',
    localPath: null,
    origin: 'local',
    size: 2048,
    sha256: 'ab'.repeat(32),
    type: 'cloudtrail',
    status: 'loaded',
    reason: null,
    records: 12,
    accountId: '111122223333',
    region: 'us-east-1',
    loadedAt: NOW,
    verified: null,
  } as CustodyRow;

  it('saves notes keeping other notes, lists custody and verifies it as a job', async () => {
    let state = caseState({
      notes: [{ id: 'other', title: 'x', text: 'keep me', createdAt: NOW, updatedAt: NOW }],
    });
    let verified = false;
    const fake = fakeApi({
      'case:state': () => state,
      'case:updateState': (patch) => {
        state = { ...state, notes: patch.notes as CaseState['notes'] };
        return state;
      },
      'custody:list': () => ({
        total: 1,
        rows: [verified ? { ...ROW, verified: { status: 'match', actualSha256: ROW.sha256, reason: null } } : ROW],
        verification: verified
          ? { verifiedAt: NOW, ok: true, counts: { match: 1, mismatch: 0, missing: 0, unverifiable: 0 } }
          : null,
      }),
      'custody:verify': () => ({ jobId: 'j-v' }),
      'jobs:list': () => [],
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <CasePanel onClose={() => undefined} />);
    const notes = (await screen.findByTestId('case-notes')) as HTMLTextAreaElement;
    await waitFor(() => expect(notes.disabled).toBe(false));
    fireEvent.change(notes, { target: { value: 'Root cause: leaked key.' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save notes' }));
    });
    expect(state.notes.map((n) => [n.id, n.text])).toEqual([
      ['other', 'keep me'],
      [CASE_NOTE_ID, 'Root cause: leaked key.'],
    ]);

    const custody = screen.getByTestId('custody');
    await waitFor(() => expect(custody.textContent).toContain('logs/ct.json.gz'));
    expect(custody.textContent).not.toContain('match,');
    await act(async () => {
      fireEvent.click(within(custody).getByRole('button', { name: 'Verify' }));
    });
    expect(fake.callsTo('custody:verify')).toHaveLength(1);
    expect(within(custody).getByRole('button', { name: 'Verifying…' })).toBeTruthy();
    verified = true;
    act(() => store.getState().jobFinished({ jobId: 'j-v', status: 'ok', error: null }));
    await waitFor(() => expect(screen.getByTestId('custody-verification').textContent).toContain('1 match'));
    expect(within(custody).getByRole('button', { name: 'Verify' })).toBeTruthy();
  });
});
