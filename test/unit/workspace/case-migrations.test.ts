import { describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { formatVersionOf, migrateCaseJson } from '../../../electron/engine/workspace/case-migrations';
import { CASE_FORMAT_VERSION, caseStateSchema, emptyCaseState } from '../../../electron/engine/workspace/case-state';

const NOW = new Date('2025-03-01T12:00:00.000Z');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof LoupeError ? error.code : `not a LoupeError: ${String(error)}`;
  }
  return 'no error';
}

describe('case.json format versions', () => {
  it('reads the declared version, treating a file without one as v0', () => {
    expect(formatVersionOf({ formatVersion: 1 })).toBe(1);
    expect(formatVersionOf({ name: 'x' })).toBe(0);
    expect(formatVersionOf({ version: 0, name: 'x' })).toBe(0);
    expect(formatVersionOf({ formatVersion: '1' })).toBeNaN();
    expect(formatVersionOf([1])).toBeNaN();
    expect(formatVersionOf(null)).toBeNaN();
  });

  it('passes a current file through unchanged', () => {
    const state = emptyCaseState('Acme breach', NOW);
    const { state: read, fromVersion } = migrateCaseJson(JSON.parse(JSON.stringify(state)), 'case.json', NOW);
    expect(fromVersion).toBe(CASE_FORMAT_VERSION);
    expect(read).toEqual(state);
  });

  it('migrates a v0 file: notes become a note, statuses and comments merge per finding, suppressions get ids', () => {
    const v0 = {
      version: 0,
      name: 'Old case',
      created: '2024-11-02T08:00:00Z',
      notes: 'Key AKIA... leaked on a paste site.',
      findingStatus: { f1: 'archived', f2: 'open', f3: 'false_positive' },
      comments: {
        f1: [{ text: 'bastion host, expected', at: '2024-11-03T09:00:00Z' }],
        f4: [{ text: 'look again', at: '2024-11-04T09:00:00Z' }],
      },
      suppressions: [{ name: 'scanner', criterion: { type: { Eq: ['Recon:EC2/Portscan'] } } }],
    };
    const { state, fromVersion } = migrateCaseJson(v0, 'case.json', NOW);
    expect(fromVersion).toBe(0);
    expect(state.formatVersion).toBe(CASE_FORMAT_VERSION);
    expect(state.name).toBe('Old case');
    expect(state.createdAt).toBe('2024-11-02T08:00:00Z');
    expect(state.notes).toHaveLength(1);
    expect(state.notes[0]?.text).toBe('Key AKIA... leaked on a paste site.');
    expect(state.findings['f1']?.status).toBe('benign');
    expect(state.findings['f1']?.comments[0]).toMatchObject({
      text: 'bastion host, expected',
      createdAt: '2024-11-03T09:00:00Z',
    });
    expect(state.findings['f2']?.status).toBe('new');
    expect(state.findings['f3']?.status).toBe('false_positive');
    expect(state.findings['f4']).toMatchObject({ status: 'new', comments: [{ text: 'look again' }] });
    expect(state.suppressionRules).toHaveLength(1);
    expect(state.suppressionRules[0]).toMatchObject({ id: 's1', name: 'scanner', enabled: true });
    // The CLI's `Eq` and the API's `eq` are the same operator; stored in the API's spelling.
    expect(state.suppressionRules[0]?.criterion).toEqual({ type: { eq: ['Recon:EC2/Portscan'] } });
    // The migrated state is a valid current state.
    expect(caseStateSchema.safeParse(state).success).toBe(true);
  });

  it('refuses a file from a newer Loupe with WORKSPACE_TOO_NEW and names both versions', () => {
    const future = { ...emptyCaseState('x', NOW), formatVersion: CASE_FORMAT_VERSION + 1 };
    expect(codeOf(() => migrateCaseJson(future, '/cases/a.loupe/case.json'))).toBe('WORKSPACE_TOO_NEW');
    expect(() => migrateCaseJson(future, '/cases/a.loupe/case.json')).toThrow(/format 3; this Loupe reads up to 2/);
  });

  it('reports damaged files as WORKSPACE_CORRUPT with the field that is wrong', () => {
    expect(codeOf(() => migrateCaseJson('a string', 'case.json'))).toBe('WORKSPACE_CORRUPT');
    expect(codeOf(() => migrateCaseJson({ formatVersion: -1 }, 'case.json'))).toBe('WORKSPACE_CORRUPT');
    const bad = {
      ...emptyCaseState('x', NOW),
      bookmarks: [{ id: 'b1', source: 'syslog', eventUid: 'e', createdAt: 'x' }],
    };
    expect(() => migrateCaseJson(bad, '/c/case.json')).toThrow(/\/c\/case\.json is damaged: bookmarks\.0\.source/);
    // A damaged v0 file is reported as damaged, not half-migrated.
    expect(() => migrateCaseJson({ name: '', notes: 3 }, 'case.json')).toThrow(/case format 0\) is damaged/);
  });

  it('upgrades a v1 file by number only: every v1 field is kept and the new sections start empty', () => {
    const v1 = {
      formatVersion: 1,
      name: 'Acme',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
      findings: { f1: { status: 'resolved', updatedAt: '2025-01-02T00:00:00.000Z' } },
      suppressionRules: [
        {
          id: 's1',
          name: 'bastion',
          criterion: { type: { eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] } },
          createdAt: '2025-01-01T00:00:00.000Z',
          updatedAt: '2025-01-01T00:00:00.000Z',
        },
      ],
    };
    const { state, fromVersion } = migrateCaseJson(v1, 'case.json', NOW);
    expect(fromVersion).toBe(1);
    expect(state.formatVersion).toBe(2);
    expect(state.findings['f1']?.status).toBe('resolved');
    expect(state.suppressionRules[0]?.accounts).toBeUndefined();
    expect(state.notifications).toEqual([]);
    // A damaged v1 file is still refused.
    expect(codeOf(() => migrateCaseJson({ ...v1, name: '' }, 'case.json'))).toBe('WORKSPACE_CORRUPT');
  });

  it('keeps unknown settings keys so a module can add one without a migration', () => {
    const withSetting = { ...emptyCaseState('x', NOW), settings: { learningPeriodDays: 14, graphLayout: 'cose' } };
    const { state } = migrateCaseJson(withSetting, 'case.json');
    expect(state.settings['graphLayout']).toBe('cose');
    expect(state.settings.learningPeriodDays).toBe(14);
    expect(state.settings.displayTimeZone).toBe('UTC');
  });
});
