import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { AssignmentService } from './assignment.service.js';
import { RoutingProcessor } from './routing.processor.js';

@Module({})
export class RoutingModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: RoutingModule,
      providers: [AssignmentService, ...(roles.workers ? [RoutingProcessor] : [])],
      exports: [AssignmentService],
    };
  }
}
