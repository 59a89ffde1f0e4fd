// @vitest-environment jsdom
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CASE_FORMAT_VERSION,
  type AccountEntry,
  type AccountsList,
  type CaseInfo,
  type CaseState,
  type FeedView,
  type FeedsView,
  type IntelListView,
  type SuppressionRule,
} from '../../../shared/api/schemas';
import { ApiError } from '../../../renderer/src/lib/api-client';
import { criterionToRows, describeCriterion, parseAccounts, rowsToCriterion } from '../../../renderer/src/lib/criteria';
import { caseFolderFor, folderProblem } from '../../../renderer/src/lib/paths';
import { Feeds, feedUse } from '../../../renderer/src/features/case-settings/feeds';
import { DetectionSettings } from '../../../renderer/src/features/case-settings/detection-settings';
import { SaveCase } from '../../../renderer/src/features/case-settings/save-case';
import { SuppressionRules } from '../../../renderer/src/features/case-settings/suppression-rules';
import { ThreatLists } from '../../../renderer/src/features/case-settings/threat-lists';
import { OrganizationPanel } from '../../../renderer/src/features/accounts/organization-panel';
import { createAppStore } from '../../../renderer/src/store';
import { effectiveFilter } from '../../../renderer/src/store/findings';
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

const TEMP: CaseInfo = {
  dir: '/tmp/loupe-temp/sample.loupe',
  name: 'sample',
  temp: true,
  readOnly: false,
  heldBy: null,
  warnings: [],
  migratedFrom: null,
};

const quiet: Handlers = {
  'findings:list': () => ({ total: 0, rows: [] }),
  'findings:counts': () => noCounts,
  'findings:groups': () => ({ total: 0, groups: [] }),
};

describe('criteria in words and in the editor', () => {
  it('describes each attribute in the console words, with every operator', () => {
    expect(
      describeCriterion({
        type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] },
        severity: { gte: 4, lessThan: 7 },
        accountId: { neq: ['111122223333', '444455556666'] },
        'resource.instanceDetails.instanceId': { matches: ['i-0abc*'] },
        'x.y': { notEquals: ['z'] },
      }),
    ).toEqual([
      'Finding type is Recon:EC2/PortProbeUnprotectedPort',
      'Severity ≥ 4 and < 7',
      'Account ID is none of 111122223333, 444455556666',
      'Instance ID matches i-0abc*',
      'x.y is not z',
    ]);
  });

  it('turns rows into a criterion and back, and names the first bad row', () => {
    const rows = criterionToRows({ type: { equals: ['A', 'B'] }, severity: { greaterThanOrEqual: 7 } });
    expect(rows).toEqual([
      { attribute: 'type', op: 'eq', values: 'A, B' },
      { attribute: 'severity', op: 'gte', values: '7' },
    ]);
    expect(rowsToCriterion(rows)).toEqual({ criterion: { type: { eq: ['A', 'B'] }, severity: { gte: 7 } } });
    expect(rowsToCriterion([{ attribute: 'severity', op: 'gt', values: 'high' }])).toEqual({
      error: 'Condition 1: gt needs one number.',
    });
    expect(rowsToCriterion([{ attribute: 'a b', op: 'eq', values: 'x' }])).toMatchObject({
      error: expect.stringContaining('not a finding attribute'),
    });
    expect(rowsToCriterion([{ attribute: '', op: 'eq', values: '' }])).toEqual({
      error: 'Add at least one condition.',
    });
    expect(parseAccounts('111122223333, 111122223333 444455556666')).toEqual({
      accounts: ['111122223333', '444455556666'],
    });
    expect(parseAccounts('12345')).toEqual({ error: '"12345" is not a 12-digit AWS account id.' });
  });
});

describe('Save As with a typed folder', () => {
  it('checks the path locally and shows where the case will land', () => {
    expect(folderProblem('')).toMatch(/Type the folder/);
    expect(folderProblem('cases/x')).toMatch(/not a full path/);
    expect(folderProblem('/home/a/x')).toBeNull();
    expect(folderProblem('C:\\cases\\x')).toBeNull();
    expect(caseFolderFor('/home/a/x/')).toBe('/home/a/x.loupe');
    expect(caseFolderFor('/home/a/X.LOUPE')).toBe('/home/a/X.LOUPE');
  });

  it('refuses a relative path without calling the engine, then saves and shows the new folder', async () => {
    const fake = fakeApi({
      'case:info': () => ({ case: TEMP }),
      'case:saveAs': (input) => ({ ...TEMP, dir: `${input.dir}.loupe`, name: input.name ?? 'sample', temp: false }),
      'case:summary': () => ({
        name: 'incident',
        workspaceDir: '/cases/incident.loupe',
        sources: [],
        accounts: [],
        filesLoaded: 0,
        filesSkipped: 0,
        filesFailed: 0,
        findings: 0,
      }),
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <SaveCase />);
    await waitFor(() => expect(screen.getByTestId('case-location').textContent).toContain(TEMP.dir));
    expect(screen.getByTestId('case-location').textContent).toContain('temporary');
    expect(screen.getByRole('button', { name: 'Save' })).toHaveProperty('disabled', true);

    const dir = screen.getByLabelText('Save As folder');
    fireEvent.change(dir, { target: { value: 'relative/case' } });
    fireEvent.blur(dir);
    expect(screen.getByTestId('save-as-help').textContent).toMatch(/not a full path/);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save As' }));
    });
    expect(fake.callsTo('case:saveAs')).toEqual([]);

    fireEvent.change(dir, { target: { value: '/cases/incident' } });
    expect(screen.getByTestId('save-as-help').textContent).toContain('/cases/incident.loupe');
    fireEvent.change(screen.getByLabelText('Case name'), { target: { value: 'incident' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save As' }));
    });
    expect(fake.callsTo('case:saveAs')).toEqual([{ dir: '/cases/incident', name: 'incident' }]);
    await waitFor(() => expect(screen.getByTestId('save-ok').textContent).toContain('/cases/incident.loupe'));
    expect(screen.getByTestId('case-location').textContent).not.toContain('temporary');
    expect(screen.getByRole('button', { name: 'Save' })).toHaveProperty('disabled', false);
    await waitFor(() => expect(store.getState().workspace.summary?.name).toBe('incident'));
  });

  it("shows the engine's reason when the folder exists or cannot be written, and keeps the typed path", async () => {
    const fake = fakeApi({
      'case:info': () => ({ case: TEMP }),
      'case:saveAs': () => {
        throw new ApiError('case:saveAs', {
          code: 'FILE_UNWRITABLE',
          message: 'Cannot write /ro/case.loupe: the folder is read-only or you lack permission (EROFS).',
          hint: 'Open the case read-only, or use Save As to copy it to a folder you can write to.',
        });
      },
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <SaveCase />);
    fireEvent.change(screen.getByLabelText('Save As folder'), { target: { value: '/ro/case' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save As' }));
    });
    const error = screen.getByTestId('save-error');
    expect(error.textContent).toContain('FILE_UNWRITABLE');
    expect(error.textContent).toContain('read-only');
    expect((screen.getByLabelText('Save As folder') as HTMLInputElement).value).toBe('/ro/case');
    expect(screen.queryByTestId('save-ok')).toBeNull();
  });
});

describe('learning period and re-running detections', () => {
  it('shows the period in force, saves N days or automatic (null), and re-runs detections as a job', async () => {
    let state = caseState();
    const fake = fakeApi({
      ...quiet,
      'case:state': () => state,
      'case:updateState': (patch) => {
        const settings: Record<string, unknown> = { ...state.settings };
        for (const [k, v] of Object.entries(patch.settings ?? {})) {
          if (v === null) delete settings[k];
          else settings[k] = v;
        }
        state = { ...state, settings: settings as CaseState['settings'] };
        return state;
      },
      'detect:run': () => ({ jobId: 'd1' }),
      'jobs:list': () => [],
      'suppression:list': () => ({ rules: [], archivedBy: {} }),
    });
    const store = createAppStore(fake.api);
    renderWithStore(store, <DetectionSettings />);
    await waitFor(() => expect(screen.getByTestId('learning-current').textContent).toMatch(/^automatic/));

    fireEvent.click(screen.getByLabelText('First'));
    fireEvent.change(screen.getByLabelText('Learning period in days'), { target: { value: '400' } });
    expect(screen.getByRole('button', { name: 'Save period' })).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('Learning period in days'), { target: { value: '3' } });
    // The re-run waits until the new period is saved.
    expect(screen.getByTestId('rerun-detections')).toHaveProperty('disabled', true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save period' }));
    });
    expect(fake.callsTo('case:updateState')).toEqual([{ settings: { learningPeriodDays: 3 } }]);
    expect(screen.getByTestId('learning-current').textContent).toBe('the first 3 days of each source');

    await act(async () => {
      fireEvent.click(screen.getByTestId('rerun-detections'));
    });
    expect(fake.callsTo('detect:run')).toEqual([{}]);
    expect(store.getState().caseSettings.learning.rerunJobId).toBe('d1');
    expect(screen.getByTestId('rerun-detections').textContent).toBe('Re-running…');
    await act(async () => {
      store.getState().jobFinished({ jobId: 'd1', status: 'ok', error: null });
    });
    expect(store.getState().caseSettings.learning.rerunJobId).toBeNull();

    fireEvent.click(screen.getByLabelText('Automatic'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save period' }));
    });
    expect(fake.callsTo('case:updateState').at(-1)).toEqual({ settings: { learningPeriodDays: null } });
    expect(screen.getByTestId('learning-current').textContent).toMatch(/^automatic/);
  });
});

const RULE: SuppressionRule = {
  id: 'r-scanner',
  name: 'Internal scanner',
  description: 'Nessus from the security VPC',
  enabled: true,
  criterion: {
    type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] },
    'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4': { eq: ['10.0.0.5'] },
  },
  accounts: ['111122223333'],
  createdAt: NOW,
  updatedAt: NOW,
};

function rulesEngine() {
  let rules: SuppressionRule[] = [RULE];
  const fake = fakeApi({
    ...quiet,
    'accounts:list': () => emptyAccounts,
    'suppression:list': () => ({ rules, archivedBy: Object.fromEntries(rules.map((r, i) => [r.id, 12 - i * 12])) }),
    'suppression:save': (input) => {
      const rule = {
        ...input.rule,
        id: input.rule.id ?? 'r-new',
        description: input.rule.description ?? '',
        enabled: input.rule.enabled ?? true,
        createdAt: NOW,
        updatedAt: NOW,
      } as SuppressionRule;
      rules = [...rules.filter((r) => r.id !== rule.id), rule];
      return { rule, archived: 3, unarchived: 0, deferred: false };
    },
    'suppression:delete': (input) => {
      rules = rules.filter((r) => r.id !== input.id);
      return { deleted: true, archived: 0, unarchived: 12, deferred: false };
    },
  });
  return fake;
}

describe('suppression rules', () => {
  it('lists each rule with its criteria in words, its scope and how many findings it archives', async () => {
    const store = createAppStore(rulesEngine().api);
    renderWithStore(store, <SuppressionRules />);
    const row = await screen.findByTestId('rule-row');
    expect(row.textContent).toContain('Internal scanner');
    expect(row.textContent).toContain('Nessus from the security VPC');
    expect(row.textContent).toContain('Finding type is Recon:EC2/PortProbeUnprotectedPort');
    expect(row.textContent).toContain('Remote IPv4 is 10.0.0.5');
    expect(row.textContent).toContain('111122223333');
    expect(within(row).getByTestId('rule-archives').textContent).toBe('12');
  });

  it('creates a rule from scratch, refusing a bad condition first', async () => {
    const fake = rulesEngine();
    const store = createAppStore(fake.api);
    renderWithStore(store, <SuppressionRules />);
    await screen.findByTestId('rule-row');
    fireEvent.click(screen.getByRole('button', { name: 'New rule' }));
    const editor = screen.getByTestId('rule-editor');
    fireEvent.change(within(editor).getByLabelText('Name'), { target: { value: 'Low noise' } });
    fireEvent.change(within(editor).getByLabelText('Condition 1 attribute'), { target: { value: 'severity' } });
    fireEvent.change(within(editor).getByLabelText('Condition 1 operator'), { target: { value: 'lt' } });
    fireEvent.change(within(editor).getByLabelText('Condition 1 values'), { target: { value: 'low' } });
    await act(async () => {
      fireEvent.click(within(editor).getByRole('button', { name: 'Save rule' }));
    });
    expect(screen.getByTestId('rule-error').textContent).toBe('Condition 1: lt needs one number.');
    expect(fake.callsTo('suppression:save')).toEqual([]);

    fireEvent.change(within(editor).getByLabelText('Condition 1 values'), { target: { value: '4' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Add condition' }));
    fireEvent.change(within(editor).getByLabelText('Condition 2 attribute'), { target: { value: 'region' } });
    fireEvent.change(within(editor).getByLabelText('Condition 2 values'), {
      target: { value: 'eu-west-1, us-east-1' },
    });
    await act(async () => {
      fireEvent.click(within(editor).getByRole('button', { name: 'Save rule' }));
    });
    expect(fake.callsTo('suppression:save')).toEqual([
      {
        rule: {
          name: 'Low noise',
          description: '',
          enabled: true,
          criterion: { severity: { lt: 4 }, region: { eq: ['eu-west-1', 'us-east-1'] } },
        },
      },
    ]);
    await waitFor(() => expect(screen.getAllByTestId('rule-row')).toHaveLength(2));
    expect(screen.queryByTestId('rule-editor')).toBeNull();
    expect(screen.getAllByTestId('rule-row')[1]!.textContent).toContain('Severity < 4');
    // The list and the findings follow the change.
    expect(fake.callsTo('findings:list').length).toBeGreaterThan(0);
    expect(store.getState().notifications.toasts.at(-1)).toMatchObject({
      kind: 'success',
      title: 'Suppression rule "Low noise" saved',
      message: '3 finding(s) archived, 0 unarchived.',
    });
  });

  it('edits a rule keeping its id, and deletes one only after confirming', async () => {
    const fake = rulesEngine();
    const store = createAppStore(fake.api);
    renderWithStore(store, <SuppressionRules />);
    await screen.findByTestId('rule-row');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Internal scanner' }));
    const editor = screen.getByTestId('rule-editor');
    expect((within(editor).getByLabelText('Condition 2 values') as HTMLInputElement).value).toBe('10.0.0.5');
    fireEvent.change(within(editor).getByLabelText('Condition 2 values'), { target: { value: '10.0.0.5, 10.0.0.6' } });
    fireEvent.click(within(editor).getByLabelText('Enabled'));
    await act(async () => {
      fireEvent.click(within(editor).getByRole('button', { name: 'Save rule' }));
    });
    expect(fake.callsTo('suppression:save')).toEqual([
      {
        rule: expect.objectContaining({
          id: 'r-scanner',
          enabled: false,
          accounts: ['111122223333'],
          criterion: {
            type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] },
            'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4': { eq: ['10.0.0.5', '10.0.0.6'] },
          },
        }),
      },
    ]);
    await waitFor(() => expect(screen.getByTestId('rule-row').textContent).toContain('disabled'));

    fireEvent.click(screen.getByRole('button', { name: 'Delete Internal scanner' }));
    expect(fake.callsTo('suppression:delete')).toEqual([]);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    });
    expect(fake.callsTo('suppression:delete')).toEqual([{ id: 'r-scanner' }]);
    await waitFor(() => expect(screen.queryByTestId('rule-row')).toBeNull());
    expect(screen.getByText('No suppression rules')).toBeTruthy();
  });
});

const emptyAccounts: AccountsList = {
  accounts: [],
  organization: {
    id: null,
    name: null,
    managementAccountId: null,
    administratorAccountId: null,
    memberAccountIds: [],
    source: 'none',
    evidence: [],
  },
};

function entry(accountId: string, over: Partial<AccountEntry> = {}): AccountEntry {
  return {
    accountId,
    name: null,
    environment: null,
    owner: null,
    role: 'unknown',
    roleSource: 'none',
    evidence: [],
    inLogs: true,
    regions: [{ region: 'us-east-1', Low: 1, Medium: 0, High: 2, Critical: 0, findings: 3, events: 50, lastSeen: NOW }],
    totals: { Low: 1, Medium: 0, High: 2, Critical: 0, findings: 3, events: 50 },
    ...over,
  };
}

describe('organisation in the Accounts view', () => {
  it('names the management, administrator and member accounts with the events that say so', async () => {
    const list: AccountsList = {
      accounts: [
        entry('111111111111', {
          role: 'management',
          roleSource: 'logs',
          evidence: ['management: called organizations:CreateAccount (only the management account can)'],
        }),
        entry('222222222222', { role: 'administrator', roleSource: 'logs', name: 'security' }),
        entry('333333333333', { role: 'member', roleSource: 'logs', inLogs: false, regions: [] }),
      ],
      organization: {
        id: 'o-abcdefghij',
        name: null,
        managementAccountId: '111111111111',
        administratorAccountId: '222222222222',
        memberAccountIds: ['333333333333'],
        source: 'logs',
        evidence: [],
      },
    };
    const store = createAppStore(fakeApi({ 'accounts:list': () => list }).api);
    await store.getState().loadAccounts();
    // Rows per account and region for the table; the account only named by others has none.
    expect(store.getState().workspace.accounts.rows?.map((r) => r.accountId)).toEqual(['111111111111', '222222222222']);
    renderWithStore(store, <OrganizationPanel />);
    const org = screen.getByTestId('organization');
    expect(org.textContent).toContain('o-abcdefghij');
    expect(screen.getByTestId('org-management').textContent).toBe('111111111111');
    expect(screen.getByTestId('org-administrator').textContent).toBe('222222222222 (security)');
    expect(screen.getByTestId('org-members').textContent).toBe('333333333333');
    const mgmt = org.querySelector('[data-account-id="111111111111"]') as HTMLElement;
    expect(within(mgmt).getByTestId('account-role').textContent).toBe('Management');
    expect(mgmt.textContent).toContain('from the logs');
    expect(mgmt.textContent).toContain('called organizations:CreateAccount');
    expect((org.querySelector('[data-account-id="333333333333"]') as HTMLElement).textContent).toContain('no logs');
  });

  it("sets an account's role and name in the case, keeping the other accounts' entries", async () => {
    let state = caseState({ accounts: [{ accountId: '999999999999', name: 'legacy' }] });
    let list: AccountsList = { ...emptyAccounts, accounts: [entry('111122223333')] };
    const fake = fakeApi({
      'accounts:list': () => list,
      'case:state': () => state,
      'case:updateState': (patch) => {
        state = { ...state, accounts: (patch.accounts ?? state.accounts) as CaseState['accounts'] };
        const mine = state.accounts.find((a) => a.accountId === '111122223333');
        list = {
          ...emptyAccounts,
          accounts: [
            entry('111122223333', {
              ...(mine?.role ? { role: mine.role, roleSource: 'user' as const } : {}),
              name: mine?.name ?? null,
            }),
          ],
        };
        return state;
      },
    });
    const store = createAppStore(fake.api);
    await store.getState().loadAccounts();
    renderWithStore(store, <OrganizationPanel />);
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Role of account 111122223333'), { target: { value: 'administrator' } });
    });
    expect(fake.callsTo('case:updateState')).toEqual([
      {
        accounts: [
          { accountId: '999999999999', name: 'legacy' },
          { accountId: '111122223333', role: 'administrator' },
        ],
      },
    ]);
    await waitFor(() => expect(screen.getByTestId('account-role').textContent).toBe('GuardDuty administrator'));
    expect(screen.getByTestId('organization').textContent).toContain('set by you');

    const name = screen.getByLabelText('Name of account 111122223333');
    fireEvent.change(name, { target: { value: 'prod' } });
    await act(async () => {
      fireEvent.blur(name);
    });
    expect(fake.callsTo('case:updateState').at(-1)).toEqual({
      accounts: [
        { accountId: '999999999999', name: 'legacy' },
        { accountId: '111122223333', role: 'administrator', name: 'prod' },
      ],
    });
    // Back to what the logs say: the role is removed, the name kept.
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Role of account 111122223333'), { target: { value: '' } });
    });
    expect(fake.callsTo('case:updateState').at(-1)).toEqual({
      accounts: [
        { accountId: '999999999999', name: 'legacy' },
        { accountId: '111122223333', name: 'prod' },
      ],
    });
  });
});

describe('account reads and edits that overlap', () => {
  /** An engine whose accounts:list answers from the state at the moment it is asked. */
  function engine() {
    let state = caseState();
    const listFor = (s: CaseState): AccountsList => {
      const roles = new Map(s.accounts.map((a) => [a.accountId, a.role]));
      const mgmt = [...roles].find(([, r]) => r === 'management')?.[0] ?? null;
      return {
        accounts: ['111122223333', '444455556666'].map((id) =>
          entry(id, roles.get(id) ? { role: roles.get(id)!, roleSource: 'user' } : {}),
        ),
        organization: {
          ...emptyAccounts.organization,
          managementAccountId: mgmt,
          memberAccountIds: [...roles].filter(([, r]) => r === 'member').map(([id]) => id),
          source: roles.size ? 'user' : 'none',
        },
      };
    };
    const held: Array<() => void> = [];
    let holdNext = false;
    const fake = fakeApi({
      'case:state': () => state,
      'case:updateState': (patch) => {
        state = { ...state, accounts: (patch.accounts ?? state.accounts) as CaseState['accounts'] };
        return state;
      },
      'accounts:list': () => {
        const answer = listFor(state);
        if (!holdNext) return answer;
        holdNext = false;
        return new Promise<AccountsList>((resolve) => held.push(() => resolve(answer)));
      },
    });
    return {
      fake,
      holdNextList: () => {
        holdNext = true;
      },
      releaseHeld: () => held.splice(0).forEach((release) => release()),
      state: () => state,
    };
  }

  it('keeps the edit when a read started before it answers after it', async () => {
    const e = engine();
    const store = createAppStore(e.fake.api);
    await store.getState().loadAccounts();
    renderWithStore(store, <OrganizationPanel />);
    // The view opens and asks again; that read is slow and was asked before the edit.
    e.holdNextList();
    const slow = store.getState().loadAccounts();
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Role of account 111122223333'), { target: { value: 'management' } });
    });
    await waitFor(() => expect(screen.getByTestId('org-management').textContent).toBe('111122223333'));
    await act(async () => {
      e.releaseHeld();
      await slow;
    });
    expect(screen.getByTestId('org-management').textContent).toBe('111122223333');
    expect(store.getState().workspace.accounts.loading).toBe(false);
  });

  it('applies two quick edits one after the other, so neither is lost', async () => {
    const e = engine();
    const store = createAppStore(e.fake.api);
    await store.getState().loadAccounts();
    const first = store.getState().setAccountInfo('111122223333', { role: 'management' });
    const second = store.getState().setAccountInfo('444455556666', { role: 'member' });
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(e.state().accounts).toEqual([
      { accountId: '111122223333', role: 'management' },
      { accountId: '444455556666', role: 'member' },
    ]);
    expect(store.getState().workspace.accounts.organization).toMatchObject({
      managementAccountId: '111122223333',
      memberAccountIds: ['444455556666'],
    });
  });
});

describe('findings filter by exact resource', () => {
  it('drills into a resource group with the exact id, not a substring', () => {
    const store = createAppStore(fakeApi(quiet).api);
    store.getState().setGroupBy('resource');
    store.getState().drillInto('AKIAEXAMPLE1');
    expect(effectiveFilter(store.getState().findings)).toMatchObject({ resourceId: 'AKIAEXAMPLE1' });
    expect(effectiveFilter(store.getState().findings).resource).toBeUndefined();
  });
});

// Paths the fake engine names; nothing is read from or written to them.
const FEED_DIR = join(tmpdir(), 'loupe-test-feeds');
const noFeeds: FeedsView = { dir: FEED_DIR, feedsFile: join(FEED_DIR, 'feeds.json'), feeds: [], error: null };

describe('threat lists', () => {
  const view = (over: Partial<IntelListView> = {}): IntelListView => ({
    id: 'threat:attackers.txt',
    name: 'attackers.txt',
    kind: 'threat',
    format: 'TXT',
    category: 'custom',
    entries: 3,
    sha256: 'ab'.repeat(32),
    path: '/intel/attackers.txt',
    bundled: false,
    accounts: null,
    enabled: true,
    importedAt: NOW,
    origin: 'file',
    sourceDate: null,
    url: null,
    problem: null,
    ...over,
  });
  const bundled = view({
    id: null,
    name: 'loupe-mining-pools',
    category: 'mining-pool',
    bundled: true,
    sha256: null,
    origin: 'bundled',
    sourceDate: '2026-11-22',
  });

  it('imports a list, shows the refusal with its line, scopes and removes after a confirm', async () => {
    let lists: IntelListView[] = [bundled];
    const fake = fakeApi({
      ...quiet,
      'jobs:list': () => [],
      'intel:lists': () => ({ lists }),
      'intel:feeds': () => noFeeds,
      'intel:import': (input) => {
        if (input.path.endsWith('broken.txt'))
          throw new ApiError('intel:import', {
            code: 'INTEL_INVALID',
            message: 'The threat list /intel/broken.txt is malformed: line 2: not an IP, CIDR or domain.',
          });
        lists = [view({ accounts: input.accounts ?? null }), bundled];
        return { list: lists[0]!, jobId: 'j-import' };
      },
      'intel:update': (input) => {
        lists = [view({ accounts: input.accounts ?? null }), bundled];
        return { list: lists[0]!, jobId: 'j-scope' };
      },
      'intel:remove': () => {
        lists = [bundled];
        return { removed: true, jobId: 'j-remove' };
      },
    });
    const store = createAppStore(fake.api);
    // The case's accounts are what the scope picker offers as checkboxes.
    store.setState((s) => ({
      workspace: { ...s.workspace, summary: { accounts: ['111122223333', '444455556666'] } as never },
    }));
    renderWithStore(store, <ThreatLists />);
    const section = await screen.findByTestId('threat-lists');
    await waitFor(() => expect(section.textContent).toContain('No lists imported'));
    const bundledTable = within(screen.getByTestId('intel-bundled'));
    expect(bundledTable.getByText('loupe-mining-pools')).toBeTruthy();
    expect(bundledTable.getByText('2026-11-22')).toBeTruthy();

    fireEvent.click(within(section).getByRole('button', { name: 'Import list' }));
    const form = screen.getByTestId('intel-import');
    fireEvent.change(within(form).getByLabelText('List file'), { target: { value: '/intel/attackers.txt' } });
    fireEvent.click(within(form).getByLabelText('Only these accounts:'));
    fireEvent.submit(form);
    expect(screen.getByTestId('intel-error').textContent).toContain('Tick at least one account');
    fireEvent.change(within(form).getByLabelText('Other accounts for the new list'), { target: { value: '1234' } });
    fireEvent.submit(form);
    expect(screen.getByTestId('intel-error').textContent).toContain('"1234" is not a 12-digit AWS account id.');
    expect(fake.callsTo('intel:import')).toEqual([]);

    fireEvent.click(within(form).getByLabelText('All accounts'));
    fireEvent.change(within(form).getByLabelText('List file'), { target: { value: '/intel/broken.txt' } });
    fireEvent.submit(form);
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('line 2'));

    fireEvent.change(within(form).getByLabelText('List file'), { target: { value: '/intel/attackers.txt' } });
    fireEvent.click(within(form).getByLabelText('Only these accounts:'));
    fireEvent.change(within(form).getByLabelText('Other accounts for the new list'), { target: { value: '' } });
    fireEvent.click(within(form).getByLabelText('111122223333'));
    fireEvent.change(within(form).getByLabelText('Kind'), { target: { value: 'threat' } });
    fireEvent.submit(form);
    const row = await screen.findByTestId('intel-row');
    expect(fake.callsTo('intel:import').at(-1)).toEqual({
      path: '/intel/attackers.txt',
      kind: 'threat',
      accounts: ['111122223333'],
    });
    expect(within(row).getByTestId('intel-scope').textContent).toBe('111122223333');
    expect(store.getState().caseSettings.intel.jobId).toBe('j-import');

    fireEvent.click(within(row).getByRole('button', { name: 'Scope…' }));
    const editor = screen.getByTestId('intel-scope-editor');
    // The current scope is ticked; untick it and tick the other account.
    expect((within(editor).getByLabelText('111122223333') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(editor).getByLabelText('111122223333'));
    fireEvent.click(within(editor).getByLabelText('444455556666'));
    fireEvent.submit(editor);
    await waitFor(() => expect(screen.queryByTestId('intel-scope-editor')).toBeNull());
    expect(fake.callsTo('intel:update').at(-1)).toEqual({ id: 'threat:attackers.txt', accounts: ['444455556666'] });
    expect(within(row).getByTestId('intel-scope').textContent).toBe('444455556666');

    fireEvent.click(within(row).getByRole('button', { name: 'Scope…' }));
    fireEvent.click(within(screen.getByTestId('intel-scope-editor')).getByLabelText('All accounts'));
    fireEvent.submit(screen.getByTestId('intel-scope-editor'));
    await waitFor(() => expect(within(row).getByTestId('intel-scope').textContent).toBe('all accounts'));
    expect(fake.callsTo('intel:update').at(-1)).toEqual({ id: 'threat:attackers.txt', accounts: null });

    fireEvent.click(within(row).getByRole('button', { name: 'Remove…' }));
    expect(fake.callsTo('intel:remove')).toEqual([]);
    fireEvent.click(within(row).getByRole('button', { name: 'Remove attackers.txt' }));
    await waitFor(() => expect(screen.queryByTestId('intel-row')).toBeNull());
    expect(fake.callsTo('intel:remove')).toEqual([{ id: 'threat:attackers.txt' }]);

    // The detection run the change started ends: the lists are read again.
    const before = fake.callsTo('intel:lists').length;
    act(() => store.getState().caseSettingsJobFinished({ jobId: 'j-remove', status: 'ok' } as never));
    await waitFor(() => expect(fake.callsTo('intel:lists').length).toBe(before + 1));
  });
});

describe('public feeds', () => {
  const feed = (over: Partial<FeedView> = {}): FeedView => ({
    name: 'tor-exit-nodes',
    description: 'Tor exits',
    url: 'https://example.org/exits',
    category: 'tor-exit',
    kind: 'threat',
    copy: {
      fetchedAt: '2026-03-02T08:00:00.000Z',
      entries: 1234,
      sha256: 'cd'.repeat(32),
      path: join(FEED_DIR, 'exits.txt'),
    },
    lastAttempt: null,
    inCase: null,
    ...over,
  });

  it('says whether the case uses a copy, and whether a newer one was fetched since', () => {
    expect(feedUse(feed())).toBe('none');
    expect(
      feedUse(feed({ inCase: { id: 'threat:exits.txt', importedAt: '2026-03-02T09:00:00.000Z', enabled: true } })),
    ).toBe('current');
    expect(
      feedUse(feed({ inCase: { id: 'threat:exits.txt', importedAt: '2026-03-01T09:00:00.000Z', enabled: true } })),
    ).toBe('stale');
  });

  it('lists the copies and failures, downloads as a job, and uses a copy in the case', async () => {
    let view: FeedsView = {
      ...noFeeds,
      feeds: [
        feed(),
        feed({
          name: 'feodo-c2',
          category: 'c2',
          copy: null,
          lastAttempt: { at: NOW, ok: false, error: 'download failed (ENOTFOUND)' },
        }),
      ],
    };
    const fake = fakeApi({
      ...quiet,
      'jobs:list': () => [],
      'intel:lists': () => ({ lists: [] }),
      'intel:feeds': () => view,
      'intel:fetchFeeds': () => ({ jobId: 'j-feeds' }),
      'jobs:get': (input) => ({
        jobId: input.jobId,
        kind: 'intel:feeds',
        label: 'Download threat feeds',
        status: 'ok',
        phase: 'done',
        done: 2,
        total: 2,
        message: '1 of 2 feeds updated; feodo-c2: download failed (ENOTFOUND).',
        startedAt: NOW,
        finishedAt: NOW,
        error: null,
      }),
      'intel:import': (input) => {
        view = {
          ...view,
          feeds: [feed({ inCase: { id: 'threat:exits.txt', importedAt: NOW, enabled: true } }), view.feeds[1]!],
        };
        return {
          list: {
            id: 'threat:exits.txt',
            name: 'exits.txt',
            kind: input.kind,
            format: 'TXT',
            category: 'tor-exit',
            entries: 1234,
            sha256: 'ef'.repeat(32),
            path: input.path,
            bundled: false,
            accounts: null,
            enabled: true,
            importedAt: NOW,
            origin: 'feed',
            sourceDate: '2026-03-02T08:00:00.000Z',
            url: 'https://example.org/exits',
            problem: null,
          },
          jobId: 'j-import',
        };
      },
    });
    const store = createAppStore(fake.api);
    store.setState((s) => ({ workspace: { ...s.workspace, info: { caseOpen: true } as never } }));
    renderWithStore(store, <Feeds readOnly={false} />);
    const rows = await screen.findAllByTestId('feed-row');
    expect(rows.map((r) => r.getAttribute('data-feed'))).toEqual(['tor-exit-nodes', 'feodo-c2']);
    const [exits, c2] = rows as [HTMLElement, HTMLElement];
    expect(within(exits).getByTestId('feed-copy').textContent).toContain('1,234 entries');
    expect(within(exits).getByTestId('feed-use').textContent).toBe('not used');
    expect(within(c2).getByTestId('feed-copy').textContent).toBe('never fetched');
    expect(within(c2).getByTestId('feed-attempt').textContent).toBe('download failed (ENOTFOUND)');
    expect((within(c2).getByRole('button', { name: 'Use feodo-c2 in this case' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(screen.getByTestId('feeds').textContent).toContain(FEED_DIR);

    // Download: a job; the button waits for it, and the list is read again when it ends.
    fireEvent.click(screen.getByRole('button', { name: 'Download feeds now' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Downloading…' })).toBeTruthy());
    expect(fake.callsTo('intel:fetchFeeds')).toEqual([{}]);
    const reads = fake.callsTo('intel:feeds').length;
    act(() => store.getState().caseSettingsJobFinished({ jobId: 'j-feeds', status: 'ok', error: null }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Download feeds now' })).toBeTruthy());
    expect(fake.callsTo('intel:feeds').length).toBe(reads + 1);
    // The end says what updated and why the rest did not.
    await waitFor(() =>
      expect(store.getState().notifications.toasts.at(-1)).toMatchObject({
        kind: 'job',
        title: 'Download threat feeds',
        message: '1 of 2 feeds updated; feodo-c2: download failed (ENOTFOUND).',
      }),
    );

    // Used in the case: imported from the copy's file, then shown as in use.
    await act(async () => {
      fireEvent.click(within(exits).getByRole('button', { name: 'Use tor-exit-nodes in this case' }));
    });
    expect(fake.callsTo('intel:import')).toEqual([{ path: join(FEED_DIR, 'exits.txt'), kind: 'threat' }]);
    await waitFor(() =>
      expect(within(screen.getAllByTestId('feed-row')[0]!).getByTestId('feed-use').textContent).toBe('in use'),
    );
  });
});
