import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { StoreProvider, type AppStore } from '../../../renderer/src/store';

export function renderWithStore(store: AppStore, ui: ReactElement): RenderResult {
  return render(<StoreProvider store={store}>{ui}</StoreProvider>);
}
