import { useEffect, useSyncExternalStore } from 'react';
import type { PortalSession } from '@server/portal/portal.api';
import { getSession } from './api';

/** The citizen's session as the header and the pages see it; `unavailable` when the identity API does not answer. */
export type SessionState = { status: 'loading' } | { status: 'unavailable' } | { status: 'ready'; session: PortalSession };

let state: SessionState = { status: 'loading' };
let started = false;
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  listeners.forEach((l) => l());
}

export function refreshSession(): void {
  started = true;
  getSession().then(
    (session) => set({ status: 'ready', session }),
    () => set({ status: 'unavailable' }),
  );
}

export function setSession(session: PortalSession): void {
  set({ status: 'ready', session });
}

export function useSession(): SessionState {
  useEffect(() => {
    if (!started) refreshSession();
  }, []);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}
