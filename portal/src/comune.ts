import { useEffect, useState } from 'react';
import type { PortalComune } from '@server/portal/portal.api';
import { api, HttpError } from './api';

export type Loaded<T> = { value: T | null; error: 'not-found' | 'failed' | null; loading: boolean };

const cache = new Map<string, Promise<PortalComune>>();

/** One comune by its slug (cached for the page's life); `not-found` for an unknown one. */
export function useComune(slug: string | undefined): Loaded<PortalComune> {
  const [state, setState] = useState<Loaded<PortalComune>>({ value: null, error: null, loading: Boolean(slug) });
  useEffect(() => {
    if (!slug) return void setState({ value: null, error: null, loading: false });
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    let p = cache.get(slug);
    if (!p) {
      p = api.comune(slug);
      cache.set(slug, p);
      p.catch(() => cache.delete(slug));
    }
    p.then(
      (value) => live && setState({ value, error: null, loading: false }),
      (err: unknown) =>
        live && setState({ value: null, error: err instanceof HttpError && err.status === 404 ? 'not-found' : 'failed', loading: false }),
    );
    return () => {
      live = false;
    };
  }, [slug]);
  return state;
}
