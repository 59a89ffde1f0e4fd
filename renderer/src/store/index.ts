import { createContext, createElement, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../../../shared/api/contract';
import { createCaseActionsSlice } from './case-actions';
import { createCaseSettingsSlice } from './case-settings';
import { createFindingsSlice } from './findings';
import { createGraphSlice } from './graph';
import { createHuntSlice } from './hunt';
import { createIngestSlice } from './ingest';
import { createJobsSlice } from './jobs';
import { createNotificationsSlice } from './notifications';
import { createTimelineSlice } from './timeline';
import type { AppState } from './types';
import { createWorkspaceSlice, loadPreferences } from './workspace';

export type { AppState } from './types';
export type AppStore = StoreApi<AppState>;

/**
 * One store composed of typed slices. It is created per app (and per test) with the api client
 * it should call, and handed to components through context, so tests never share state.
 */
export function createAppStore(api: ApiClient, storage?: Storage): AppStore {
  const prefs = loadPreferences(storage);
  return createStore<AppState>()((set, get) => {
    const deps = { set, get, api };
    return {
      ...createWorkspaceSlice(deps, prefs, storage),
      ...createIngestSlice(deps),
      ...createFindingsSlice(deps),
      ...createTimelineSlice(deps),
      ...createGraphSlice(deps),
      ...createHuntSlice(deps),
      ...createJobsSlice(deps),
      ...createNotificationsSlice(deps),
      ...createCaseActionsSlice(deps),
      ...createCaseSettingsSlice(deps),
    };
  });
}

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore needs a <StoreProvider>.');
  return store;
}

/** Select what a component needs; use `useShallow` for derived arrays and objects. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector);
}
