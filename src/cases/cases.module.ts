import { Module, type DynamicModule } from '@nestjs/common';
import type { CaseTypeManifest } from './case-type.js';
import { CaseLifecycle } from './case-lifecycle.js';
import { CaseTypeRegistry } from './case-type.registry.js';
import { TicketNotifier } from './ticket-notifier.js';
import { RealtimeModule } from '../realtime/realtime.module.js';

let contributions = 0;

/**
 * The case core: the registry of case types, the lifecycle that applies their rules, and the
 * notifier that tells the operators' rooms what changed on a case. One
 * instance per application (a static module); modules that own case types contribute them with
 * `CasesModule.forFeature([manifest])`, so adding a type edits nothing here.
 */
@Module({
  imports: [RealtimeModule],
  providers: [CaseTypeRegistry, CaseLifecycle, TicketNotifier],
  exports: [CaseTypeRegistry, CaseLifecycle, TicketNotifier],
})
export class CasesModule {
  /**
   * Registers the manifests when the module is built (before any request or job runs); a name
   * registered twice refuses to start.
   */
  static forFeature(manifests: CaseTypeManifest[]): DynamicModule {
    const token = `case-types#${++contributions}:${manifests.map((m) => m.name).join(',')}`;
    return {
      module: CaseTypesFeatureModule,
      imports: [CasesModule],
      providers: [
        {
          provide: token,
          inject: [CaseTypeRegistry],
          useFactory: (registry: CaseTypeRegistry) => {
            for (const m of manifests) registry.register(m);
            return manifests;
          },
        },
      ],
      exports: [CasesModule],
    };
  }
}

/** One contribution of case types (each `forFeature` call is its own instance of it, sharing CasesModule's registry). */
@Module({})
export class CaseTypesFeatureModule {}
