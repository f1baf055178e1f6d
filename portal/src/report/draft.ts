/** The two flows of the portal. */
export type FlowKind = 'report' | 'request';

/** What the citizen typed (files are never kept: they stay in the page's memory only). */
export interface FlowData {
  privacy: boolean;
  lat: number | null;
  lon: number | null;
  address: string;
  category: string;
  title: string;
  description: string;
  name: string;
  email: string;
  phone: string;
  updates: boolean;
}

export interface Draft {
  step: number;
  data: FlowData;
  savedAt: string;
  /** The draft was begun while logged in: sending without a session means it expired. */
  loggedIn: boolean;
  /** The browser's id of this submission: sending it twice creates one case. */
  submissionId: string;
}

export const EMPTY: FlowData = {
  privacy: false,
  lat: null,
  lon: null,
  address: '',
  category: '',
  title: '',
  description: '',
  name: '',
  email: '',
  phone: '',
  updates: true,
};

const key = (slug: string, kind: FlowKind) => `sportello.draft.${slug}.${kind}`;

/** The draft of one flow in one comune, kept in this browser (localStorage) until it is sent or discarded. */
export function loadDraft(slug: string, kind: FlowKind): Draft | null {
  try {
    const raw = localStorage.getItem(key(slug, kind));
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    if (typeof d.step !== 'number' || !d.data || typeof d.submissionId !== 'string') return null;
    return {
      step: d.step,
      data: { ...EMPTY, ...d.data },
      savedAt: String(d.savedAt),
      loggedIn: Boolean(d.loggedIn),
      submissionId: d.submissionId,
    };
  } catch {
    return null;
  }
}

export function saveDraft(slug: string, kind: FlowKind, d: Omit<Draft, 'savedAt'>): void {
  try {
    localStorage.setItem(key(slug, kind), JSON.stringify({ ...d, savedAt: new Date().toISOString() }));
  } catch {
    /* private mode or full: the flow works without a draft */
  }
}

export function clearDraft(slug: string, kind: FlowKind): void {
  try {
    localStorage.removeItem(key(slug, kind));
  } catch {
    /* nothing kept */
  }
}

export function newSubmissionId(): string {
  return `web-${crypto.randomUUID()}`;
}
