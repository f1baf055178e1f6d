import { createContext, useContext } from 'react';
import type { LiveStore } from '../lib/store';

export const StoreContext = createContext<LiveStore | null>(null);

export function useStore(): LiveStore {
  const s = useContext(StoreContext);
  if (!s) throw new Error('useStore outside the signed-in console');
  return s;
}
