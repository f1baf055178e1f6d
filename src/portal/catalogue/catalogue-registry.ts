import type { Audience, PortalLang, ThematicAreaId } from '../portal.api.js';

/** What a contributed service needs to know of the comune whose page lists it. */
export interface CatalogueComune {
  id: number;
  slug: string;
  name: string;
}

/**
 * One of Sportello's own services, contributed to every comune's catalogue by the module that
 * provides it (as a case type is contributed to the cases module): the contact channels today;
 * reports, requests, participation and bookings when they exist. Only what works is registered.
 */
export interface SportelloService {
  /** Stable id, unique across contributions: the portal shows it as `sportello:<id>`. */
  id: string;
  area: ThematicAreaId;
  title: Record<PortalLang, string>;
  description: Record<PortalLang, string>;
  audience: Audience;
  /** Where the citizen goes: a path of this application (the comune's, in the citizen's language). */
  path: (comune: CatalogueComune, lang: PortalLang) => string;
}

/** The contributed services, collected from every module's `CatalogueModule.forFeature([...])`. */
export class SportelloServiceRegistry {
  private readonly services = new Map<string, SportelloService>();

  add(services: readonly SportelloService[]): void {
    for (const s of services) {
      if (!/^[a-z][a-z0-9-]{0,59}$/.test(s.id)) throw new Error(`catalogue: invalid service id "${s.id}"`);
      if (this.services.has(s.id)) throw new Error(`catalogue: service "${s.id}" contributed twice`);
      this.services.set(s.id, s);
    }
  }

  list(): SportelloService[] {
    return [...this.services.values()];
  }
}
