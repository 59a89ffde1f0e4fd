// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseSummary, FileRecord } from '../../../shared/api/schemas';
import { ProblemFiles, groupByReason } from '../../../renderer/src/features/accounts/problem-files';
import { createAppStore } from '../../../renderer/src/store';
import { fakeApi } from './fake-api';
import { renderWithStore } from './render';

afterEach(cleanup);

const DIGEST = 'CloudTrail digest file (an integrity manifest for log files; it holds no events)';

function file(fileId: number, status: FileRecord['status'], reason: string | null, path: string): FileRecord {
  return {
    fileId,
    path,
    size: 100,
    sha256: null,
    type: 'unknown',
    records: 0,
    status,
    reason,
    accountId: null,
    region: null,
    loadedAt: '2026-03-01T00:00:00Z',
  };
}

const digests = Array.from({ length: 12 }, (_, i) =>
  file(10 + i, 'skipped', DIGEST, `/case/AWSLogs/1/CloudTrail-Digest/us-east-1/2026/03/01/d${i}.json.gz`),
);
const broken = file(1, 'failed', 'Not gzip data: the file ends inside the first block', '/case/broken.json.gz');
const readme = file(2, 'skipped', 'Not a log file this version of Loupe reads', '/case/README.txt');

describe('files not loaded', () => {
  it('groups by outcome and reason, failures first, then the biggest group', () => {
    const groups = groupByReason([...digests, readme, broken]);
    expect(groups.map((g) => [g.status, g.reason, g.files.length])).toEqual([
      ['failed', broken.reason, 1],
      ['skipped', DIGEST, 12],
      ['skipped', readme.reason, 1],
    ]);
  });

  it('shows the totals and one line per reason, with the per-file list folded away when long', () => {
    const store = createAppStore(fakeApi({}).api);
    renderWithStore(store, <ProblemFiles />);
    expect(screen.queryByTestId('problem-files')).toBeNull();
    act(() =>
      store.setState((s) => ({
        ingest: { ...s.ingest, problems: [broken, ...digests, readme], problemsTotal: 14 },
        workspace: {
          ...s.workspace,
          summary: { filesFailed: 1, filesSkipped: 13 } as CaseSummary,
        },
      })),
    );
    const section = screen.getByTestId('problem-files');
    expect(within(section).getByRole('heading').textContent).toBe('Files not loaded: 1 failed, 13 skipped');
    const rows = within(section).getAllByTestId('problem-reason');
    expect(rows.map((r) => r.textContent)).toEqual([
      `failed${broken.reason}1${broken.path}`,
      `skipped${DIGEST}12${digests[0]!.path}`,
      `skipped${readme.reason}1${readme.path}`,
    ]);
    const details = section.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelectorAll('tbody tr')).toHaveLength(14);
  });
});
