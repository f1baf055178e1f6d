import { Injectable } from '@nestjs/common';
import type { ParticipationServiceManifest } from './manifest.js';

/** The participation services this application runs, collected from every `ParticipationModule.forFeature(...)`. */
@Injectable()
export class ParticipationRegistry {
  private readonly services = new Map<string, ParticipationServiceManifest>();

  register(m: ParticipationServiceManifest): void {
    if (this.services.has(m.name)) throw new Error(`participation service "${m.name}" registered twice`);
    this.services.set(m.name, m);
  }

  get(name: string): ParticipationServiceManifest | undefined {
    return this.services.get(name);
  }

  list(): ParticipationServiceManifest[] {
    return [...this.services.values()];
  }
}
