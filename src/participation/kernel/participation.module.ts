import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ComuniModule } from '../../comuni/comuni.module.js';
import { CatalogueModule } from '../../portal/catalogue/catalogue.module.js';
import type { SportelloService } from '../../portal/catalogue/catalogue-registry.js';
import { CitizenAuthModule } from '../../portal/identity/portal-identity.module.js';
import { ParticipationEvents } from './events.js';
import { ParticipationFlags } from './flags.service.js';
import type { ParticipationServiceManifest } from './manifest.js';
import { ParticipationService } from './participation.service.js';
import { ParticipationPortalController } from './portal.controller.js';
import { ParticipationRegistry } from './registry.js';
import { CitizenViewer } from './viewer.js';

const PROVIDERS = [ParticipationRegistry, ParticipationService, ParticipationEvents, ParticipationFlags, CitizenViewer];

/** The kernel's one instance per application: the registry of services and what every service uses. */
@Module({ imports: [ComuniModule, CitizenAuthModule], providers: PROVIDERS, exports: PROVIDERS })
export class ParticipationKernelModule {}

/** One contribution of a service (each `forFeature` call is its own instance, sharing the kernel). */
@Module({})
export class ParticipationFeatureModule {}

let contributions = 0;

/**
 * The participation kernel (DESIGN.md, "Participation: items and contributions, not tickets"). A
 * service is one folder that declares itself with `ParticipationModule.forFeature(manifest,
 * catalogueEntry)`: the kernel then serves its spaces, items and contributions, moderation and
 * follows, and the portal's catalogue lists it. Nothing here changes to add one.
 */
@Module({})
export class ParticipationModule {
  static register(roles: ProcessRoles, services: DynamicModule[]): DynamicModule {
    return {
      module: ParticipationModule,
      imports: [ParticipationKernelModule, CitizenAuthModule, ...services],
      controllers: roles.api ? [ParticipationPortalController] : [],
    };
  }

  static forFeature(manifest: ParticipationServiceManifest, catalogue: readonly SportelloService[]): DynamicModule {
    const token = `participation-service#${++contributions}:${manifest.name}`;
    return {
      module: ParticipationFeatureModule,
      imports: [ParticipationKernelModule, CatalogueModule.forFeature(catalogue)],
      providers: [
        {
          provide: token,
          inject: [ParticipationRegistry],
          useFactory: (registry: ParticipationRegistry) => {
            registry.register(manifest);
            return manifest;
          },
        },
      ],
      exports: [ParticipationKernelModule],
    };
  }
}
