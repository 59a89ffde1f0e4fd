// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvidenceRow } from '../../../shared/api/schemas';
import { FindingDetail } from '../../../renderer/src/features/findings/finding-detail';
import { FindingsList } from '../../../renderer/src/features/findings/findings-list';
import { createAppStore } from '../../../renderer/src/store';
import { fakeApi, pagedFindings } from './fake-api';
import { renderWithStore } from './render';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** jsdom lays nothing out; give elements a screen-sized box so the virtualiser has a viewport. */
function withViewport(): void {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(700);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(900);
}

const FINDING = {
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'us-east-1',
  id: 'f-intel',
  type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
  title: 'API DeleteTrail was invoked from an IP address on a custom threat list.',
  description: 'alice called DeleteTrail from 198.51.100.7, which is on the list bad-ips.',
  severity: 5,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  resource: {
    resourceType: 'AccessKey',
    accessKeyDetails: { accessKeyId: 'AKIAALICE', principalId: 'AIDAALICE', userName: 'alice', userType: 'IAMUser' },
  },
  service: {
    serviceName: 'guardduty',
    resourceRole: 'TARGET',
    archived: false,
    count: 3,
    eventFirstSeen: '2026-03-01T10:00:00.000Z',
    eventLastSeen: '2026-03-01T12:00:00.000Z',
    action: {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: {
        api: 'DeleteTrail',
        serviceName: 'cloudtrail.amazonaws.com',
        callerType: 'Remote IP',
        userAgent: 'aws-cli/2.15.0',
        remoteIpDetails: {
          ipAddressV4: '198.51.100.7',
          organization: { asn: '64496', asnOrg: 'Example Hosting' },
          country: { countryCode: 'NL', countryName: 'Netherlands' },
        },
      },
    },
    evidence: {
      threatIntelligenceDetails: [
        { threatListName: 'bad-ips', threatNames: ['198.51.100.0/24'], threatFileSha256: 'abc' },
      ],
    },
    additionalInfo: {
      value: '{}',
      type: 'default',
      mitre: ['TA0005:T1562.008'],
      runbook: ['Disable the access key AKIAALICE now.', 'Review what alice did from 198.51.100.7.'],
      ruleId: 'iam-malicious-ip',
    },
  },
};

const EVIDENCE: EvidenceRow[] = [1, 2, 3].map((i) => ({
  source: 'cloudtrail',
  eventUid: `ev-${i}`,
  eventTime: `2026-03-01T1${i}:00:00.000Z`,
  summary: `DeleteTrail (cloudtrail.amazonaws.com) by alice #${i}`,
  fileId: 1,
  filePath: '/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/x.json.gz',
  position: i,
  raw: JSON.stringify({ eventID: `ev-${i}`, eventName: 'DeleteTrail' }),
}));

describe('FindingsList', () => {
  it('renders only the rows on screen for 100k findings and moves the selection with the keyboard', async () => {
    const fake = fakeApi({
      'findings:list': pagedFindings(100_000),
      'findings:counts': () => ({ Low: 50_000, Medium: 50_000, High: 0, Critical: 0, total: 100_000 }),
      'findings:get': (input) => ({ id: input.id, type: 'x', severity: 2 }),
      'findings:evidence': () => ({ total: 0, rows: [] }),
    });
    const store = createAppStore(fake.api);
    await act(() => store.getState().loadFindings());
    withViewport();
    renderWithStore(store, <FindingsList />);
    const grid = await screen.findByTestId('findings-list');
    expect(grid.getAttribute('aria-rowcount')).toBe('100000');
    const rows = await screen.findAllByRole('row', { selected: true });
    // The first finding opens by itself; only a window of rows exists in the DOM.
    expect(rows[0]!.getAttribute('data-finding-id')).toBe('f-0');
    const rendered = grid.querySelectorAll('[data-finding-id]').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);
    expect(screen.getByTestId('findings-total').textContent).toBe('100,000 findings');

    await act(async () => {
      fireEvent.keyDown(grid, { key: 'ArrowDown' });
    });
    await screen.findByText('Finding number 1');
    expect(store.getState().findings.selectedId).toBe('f-1');
    await act(async () => {
      fireEvent.keyDown(grid, { key: 'End' });
    });
    expect(store.getState().findings.selectedId).toBe('f-99999');
  });

  it('says what to do when filters leave nothing', async () => {
    const fake = fakeApi({
      'findings:list': () => ({ total: 0, rows: [] }),
      'findings:counts': () => ({ Low: 0, Medium: 0, High: 0, Critical: 0, total: 0 }),
    });
    const store = createAppStore(fake.api);
    store.getState().setFilter({ text: 'nothing' });
    await act(() => store.getState().loadFindings());
    renderWithStore(store, <FindingsList />);
    expect(screen.getByText('No findings match these filters')).toBeTruthy();
  });
});

describe('FindingDetail', () => {
  it('lays the finding out like the GuardDuty console, with evidence, raw JSON and pivots', async () => {
    const fake = fakeApi({
      'findings:get': () => FINDING,
      'findings:evidence': () => ({ total: 3, rows: EVIDENCE }),
      'timeline:histogram': () => ({
        from: null,
        to: null,
        bucketSeconds: 0,
        sources: [],
        buckets: [],
        markers: [],
        total: 0,
      }),
      'timeline:events': () => ({ total: 0, rows: [] }),
      'findings:list': () => ({ total: 0, rows: [] }),
      'findings:counts': () => ({ Low: 0, Medium: 0, High: 0, Critical: 0, total: 0 }),
    });
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-intel'));
    renderWithStore(store, <FindingDetail />);

    expect(screen.getByTestId('detail-type').textContent).toBe(FINDING.type);
    expect(screen.getByText('Medium 5.0')).toBeTruthy();
    const actor = screen.getByTestId('actor-section');
    expect(within(actor).getByText('Actor')).toBeTruthy();
    expect(actor.textContent).toContain('AS64496');
    expect(actor.textContent).toContain('Example Hosting');
    expect(actor.textContent).toContain('Netherlands (NL)');
    const why = screen.getByTestId('why-section');
    expect(why.textContent).toContain('bad-ips');
    expect(why.textContent).toContain('198.51.100.0/24');
    const runbook = screen.getByTestId('runbook-section');
    expect(runbook.textContent).toContain('TA0005:T1562.008');
    expect(
      within(runbook)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(FINDING.service.additionalInfo.runbook);
    expect(screen.getByTestId('action-section').textContent).toContain('DeleteTrail');

    const rows = screen.getAllByTestId('evidence-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain('x.json.gz #1');
    fireEvent.click(rows[1]!);
    expect(screen.getByTestId('evidence-raw').textContent).toContain('"eventID": "ev-2"');

    fireEvent.click(screen.getByTestId('toggle-raw'));
    expect(screen.getByTestId('finding-raw').textContent).toContain('"schemaVersion": "2.0"');

    const pivots = screen.getByTestId('pivots');
    expect(pivots.textContent).toContain('alice');
    expect(pivots.textContent).toContain('198.51.100.7');
    const ipRow = within(pivots).getByText('198.51.100.7').closest('.entity-row') as HTMLElement;
    await act(async () => {
      fireEvent.click(within(ipRow).getByRole('button', { name: 'Timeline' }));
    });
    expect(store.getState().workspace.view).toBe('timeline');
    expect(store.getState().workspace.scope.entity).toEqual({ kind: 'ip', value: '198.51.100.7' });
  });

  it('shows the engine error with its hint when a finding cannot be read', async () => {
    const { ApiError } = await import('../../../renderer/src/lib/api-client');
    const fake = fakeApi({
      'findings:get': () => {
        throw new ApiError('findings:get', {
          code: 'NOT_FOUND',
          message: 'No finding f-x.',
          hint: 'Run the detections again.',
        });
      },
      'findings:evidence': () => ({ total: 0, rows: [] }),
    });
    const store = createAppStore(fake.api);
    await act(() => store.getState().selectFinding('f-x'));
    renderWithStore(store, <FindingDetail />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('NOT_FOUND');
    expect(alert.textContent).toContain('Run the detections again.');
  });
});
