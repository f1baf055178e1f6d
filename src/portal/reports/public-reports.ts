import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PublicState, StateFilter } from './reports.api.js';

/** A case's status as the public sees it. */
export function publicState(status: string): PublicState {
  switch (status) {
    case 'new':
      return 'received';
    case 'resolved':
      return 'resolved';
    case 'closed':
      return 'closed';
    default:
      return 'in_progress';
  }
}

/** SQL condition on `t.status` for a state filter (literal lists: the map index's columns). */
export function stateCondition(state: StateFilter): string {
  switch (state) {
    case 'open':
      return `t.status IN ('new','open','waiting_citizen')`;
    case 'received':
      return `t.status = 'new'`;
    case 'in_progress':
      return `t.status IN ('open','waiting_citizen')`;
    case 'resolved':
      return `t.status = 'resolved'`;
    case 'all':
      return `t.status IN ('new','open','waiting_citizen','resolved')`;
  }
}

/** minLon,minLat,maxLon,maxLat, each a number, not wider than a province: or null when it is not that. */
export function parseBbox(raw: string | undefined): [number, number, number, number] | null {
  if (!raw) return null;
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return null;
  const [minLon, minLat, maxLon, maxLat] = parts;
  if (minLon >= maxLon || minLat >= maxLat || minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) return null;
  if (maxLon - minLon > 2 || maxLat - minLat > 2) return null;
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * Signed links to a case's attachments for the citizen who opened it (lookup): valid for an hour,
 * bound to the attachment id, signed with a key derived from the installation's secret.
 */
export class LinkSigner {
  static readonly TTL_MS = 60 * 60 * 1000;

  constructor(private readonly secret: string) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`portal:${purpose}:${value}`).digest('base64url');
  }

  attachmentUrl(id: string, now = Date.now()): string {
    const exp = Math.floor((now + LinkSigner.TTL_MS) / 1000);
    return `/api/portal/v1/attachments/${id}?exp=${exp}&sig=${this.mac('attachment', `${id}:${exp}`)}`;
  }

  publicPhotoUrl(id: string): string {
    return `/api/portal/v1/attachments/${id}`;
  }

  validAttachment(id: string, exp: string | undefined, sig: string | undefined): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp) || Number(exp) * 1000 < Date.now()) return false;
    return same(sig, this.mac('attachment', `${id}:${exp}`));
  }

  /** The access key of a portal case: derived, not stored; the same for a retried submission. */
  accessKey(reference: string, submissionExternalId: string): string {
    return this.mac('access', `${reference}:${submissionExternalId}`).slice(0, 24);
  }

  validAccessKey(key: string, reference: string, submissionExternalId: string): boolean {
    return same(key, this.accessKey(reference, submissionExternalId));
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
