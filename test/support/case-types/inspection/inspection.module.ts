import { Module, type DynamicModule } from '@nestjs/common';
import { CasesModule } from '../../../../src/cases/cases.module.js';
import { INSPECTION_CASE_TYPE } from './inspection.case-type.js';

/** The whole wiring of a new case type: one module that contributes its manifest. */
@Module({})
export class InspectionModule {
  static register(): DynamicModule {
    return { module: InspectionModule, imports: [CasesModule.forFeature([INSPECTION_CASE_TYPE])] };
  }
}
