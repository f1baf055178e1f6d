import { useSyncExternalStore } from 'react';

/** A very small router: the console's pages live under /console/<page>/<more…>. */
export const BASE = '/console/';
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, replace = false): void {
  const url = BASE + path.replace(/^\//, '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The path after /console/, split into segments: ['inbox', 'mine', '42']. */
export function useRoute(): string[] {
  const path = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => location.pathname,
  );
  return path.startsWith(BASE) ? path.slice(BASE.length).split('/').filter(Boolean).map(decodeURIComponent) : [];
}
