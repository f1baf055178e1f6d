import { RejectedInputError } from '../common/errors.js';

/**
 * A kind of request the platform handles. The core knows tickets only through this description,
 * so a petition, a booking or a consultation is added by registering one more definition:
 * its own payload check, whether it needs a position, which status changes it allows.
 */
export interface TicketTypeDefinition {
  name: string;
  label: { it: string; en: string };
  /** A position is required (a report of a disservice on a street). */
  requiresLocation: boolean;
  /** Checks and normalizes the type-specific payload; throws RejectedInputError naming the field. */
  parsePayload(payload: unknown): Record<string, unknown>;
  /** Allowed status transitions; undefined means the standard lifecycle. */
  transitions?: Record<string, string[]>;
}

export const STANDARD_TRANSITIONS: Record<string, string[]> = {
  new: ['open', 'waiting_citizen', 'resolved', 'closed'],
  open: ['waiting_citizen', 'resolved', 'closed'],
  waiting_citizen: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

const emptyPayload = (payload: unknown): Record<string, unknown> => {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) throw new RejectedInputError('payload', 'must be an object');
  return {};
};

export const REQUEST_TYPE: TicketTypeDefinition = {
  name: 'request',
  label: { it: 'Richiesta', en: 'Request' },
  requiresLocation: false,
  parsePayload: emptyPayload,
};

export const REPORT_TYPE: TicketTypeDefinition = {
  name: 'report',
  label: { it: 'Segnalazione', en: 'Report' },
  requiresLocation: true,
  parsePayload(payload) {
    if (payload === undefined || payload === null) return {};
    if (typeof payload !== 'object' || Array.isArray(payload)) throw new RejectedInputError('payload', 'must be an object');
    const p = payload as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (p.address !== undefined) {
      if (typeof p.address !== 'string' || p.address.length > 300)
        throw new RejectedInputError('payload.address', 'must be a text of at most 300 characters');
      out.address = p.address;
    }
    return out;
  },
};

export class TicketTypeRegistry {
  private readonly types = new Map<string, TicketTypeDefinition>();

  constructor(definitions: TicketTypeDefinition[] = [REQUEST_TYPE, REPORT_TYPE]) {
    for (const d of definitions) this.register(d);
  }

  register(def: TicketTypeDefinition): void {
    if (this.types.has(def.name)) throw new Error(`ticket type ${def.name} registered twice`);
    this.types.set(def.name, def);
  }

  get(name: string): TicketTypeDefinition {
    const def = this.types.get(name);
    if (!def) throw new RejectedInputError('type', `unknown ticket type "${name}" (known: ${[...this.types.keys()].join(', ')})`);
    return def;
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  canTransition(typeName: string, from: string, to: string): boolean {
    const t = this.types.get(typeName);
    const table = t?.transitions ?? STANDARD_TRANSITIONS;
    return (table[from] ?? []).includes(to);
  }
}
