import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { SportelloServiceRegistry, type SportelloService } from './catalogue-registry.js';
import { CatalogueAdminController, PortalComuniController } from './catalogue.controller.js';
import { CatalogueService } from './catalogue.service.js';
import { CONTACT_SERVICES, REPORT_SERVICES } from './sportello-services.js';
import { ComuniModule } from '../../comuni/comuni.module.js';

/** The one registry of Sportello's own services (one per application). */
@Module({ providers: [SportelloServiceRegistry], exports: [SportelloServiceRegistry] })
export class CatalogueRegistryModule {}

/** One contribution of services (each `forFeature` call is its own instance, sharing the registry). */
@Module({})
export class CatalogueFeatureModule {}

let contributions = 0;

/**
 * The portal's service catalogue. A module that offers citizens a service lists it with
 * `imports: [CatalogueModule.forFeature([MY_SERVICE])]` (as case types are contributed); nothing
 * here changes. Only services that work are registered.
 */
@Module({})
export class CatalogueModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: CatalogueModule,
      imports: [ComuniModule, CatalogueRegistryModule, CatalogueModule.forFeature([...CONTACT_SERVICES, ...REPORT_SERVICES])],
      providers: [CatalogueService],
      exports: [CatalogueService, CatalogueRegistryModule],
      controllers: roles.api ? [PortalComuniController, CatalogueAdminController] : [],
    };
  }

  static forFeature(services: readonly SportelloService[]): DynamicModule {
    const token = `catalogue-services#${++contributions}:${services.map((s) => s.id).join(',')}`;
    return {
      module: CatalogueFeatureModule,
      imports: [CatalogueRegistryModule],
      providers: [
        {
          provide: token,
          inject: [SportelloServiceRegistry],
          useFactory: (registry: SportelloServiceRegistry) => {
            registry.add(services);
            return services;
          },
        },
      ],
      exports: [CatalogueRegistryModule],
    };
  }
}
