import type { StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../../../shared/api/contract';
import type { CaseActionsSlice } from './case-actions';
import type { CaseSettingsSlice } from './case-settings';
import type { FindingsSlice } from './findings';
import type { GraphSlice } from './graph';
import type { HuntSlice } from './hunt';
import type { IngestSlice } from './ingest';
import type { JobsSlice } from './jobs';
import type { NotificationsSlice } from './notifications';
import type { TimelineSlice } from './timeline';
import type { WorkspaceSlice } from './workspace';

export type AppState = WorkspaceSlice &
  IngestSlice &
  FindingsSlice &
  TimelineSlice &
  GraphSlice &
  HuntSlice &
  JobsSlice &
  NotificationsSlice &
  CaseActionsSlice &
  CaseSettingsSlice;

export type SetState = StoreApi<AppState>['setState'];
export type GetState = StoreApi<AppState>['getState'];

export interface SliceDeps {
  set: SetState;
  get: GetState;
  api: ApiClient;
}

/** Slice data lives under one key per slice; this merges a partial update into that key. */
export type DataKey =
  | 'workspace'
  | 'ingest'
  | 'findings'
  | 'timeline'
  | 'graph'
  | 'hunt'
  | 'jobs'
  | 'notifications'
  | 'caseActions'
  | 'caseSettings';

export function patcher<K extends DataKey>(set: SetState, key: K) {
  return (update: Partial<AppState[K]> | ((current: AppState[K]) => Partial<AppState[K]>)): void =>
    set(
      (s) =>
        ({ [key]: { ...s[key], ...(typeof update === 'function' ? update(s[key]) : update) } }) as Partial<AppState>,
    );
}
