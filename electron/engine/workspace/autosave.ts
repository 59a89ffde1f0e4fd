import { LoupeError, toErrorShape } from '../../../shared/errors';
import type { CaseState, CaseStateInput } from './case-state';
import { saveState, type Workspace, type WorkspaceOptions } from './workspace';

/**
 * Debounced saving of the analyst state: every change calls `schedule`, and the state is
 * written once things have been quiet for `delayMs` (and on `flush`, e.g. before close). Saves
 * never overlap (saveState queues them) and a failed save keeps the pending state, so the next
 * change or flush tries again; `onError` lets the shell show a toast.
 */
export interface Autosaver {
  schedule(state: CaseStateInput): void;
  /** Saves the pending state now, if any. */
  flush(): Promise<CaseState | null>;
  /** Flushes and stops. */
  dispose(): Promise<void>;
  readonly pending: boolean;
}

export interface AutosaveOptions extends WorkspaceOptions {
  delayMs?: number;
  onSaved?: (state: CaseState) => void;
  onError?: (error: LoupeError) => void;
}

export function createAutosaver(ws: Workspace, options: AutosaveOptions = {}): Autosaver {
  const delay = options.delayMs ?? 2000;
  let pending: CaseStateInput | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const flush = async (): Promise<CaseState | null> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const state = pending;
    if (!state) return null;
    pending = null;
    try {
      const saved = await saveState(ws, state, options);
      options.onSaved?.(saved);
      return saved;
    } catch (error) {
      // Keep it for the next try unless a newer state arrived meanwhile.
      pending ??= state;
      const loupe =
        error instanceof LoupeError ? error : new LoupeError('INTERNAL', toErrorShape(error).message, { cause: error });
      options.onError?.(loupe);
      return null;
    }
  };

  return {
    schedule(state) {
      if (disposed) return;
      pending = state;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void flush(), delay);
    },
    flush,
    async dispose() {
      disposed = true;
      await flush();
    },
    get pending() {
      return pending !== null;
    },
  };
}
