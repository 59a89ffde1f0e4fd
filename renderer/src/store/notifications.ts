import type { JobInfo } from '../../../shared/api/schemas';
import type { ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

/** Toasts are a typed union: each kind carries what its component needs, nothing else. */
export type Toast =
  | { id: number; kind: 'info' | 'success'; title: string; message?: string }
  | { id: number; kind: 'error'; title: string; error: ErrorInfo }
  | { id: number; kind: 'job'; title: string; jobId: string; status: JobInfo['status']; message: string };

export type NewToast = Toast extends infer T ? (T extends Toast ? Omit<T, 'id'> : never) : never;

const MAX_TOASTS = 5;

export interface NotificationsSlice {
  notifications: { toasts: Toast[] };
  notify(toast: NewToast): number;
  dismiss(id: number): void;
}

export function createNotificationsSlice({ set, get }: SliceDeps): NotificationsSlice {
  const patch = patcher(set, 'notifications');
  let next = 1;
  return {
    notifications: { toasts: [] },
    notify: (toast) => {
      const id = next++;
      patch({ toasts: [...get().notifications.toasts, { ...toast, id } as Toast].slice(-MAX_TOASTS) });
      return id;
    },
    dismiss: (id) => patch((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  };
}
