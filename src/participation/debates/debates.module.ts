import { Module, type DynamicModule } from '@nestjs/common';
import { ParticipationModule } from '../kernel/participation.module.js';
import { DEBATES, DEBATES_CATALOGUE } from './debates.manifest.js';

/** Debates: the kernel does the rest (comments, votes, pinned official answers, moderation). */
@Module({})
export class DebatesModule {
  static register(): DynamicModule {
    return { module: DebatesModule, imports: [ParticipationModule.forFeature(DEBATES, DEBATES_CATALOGUE)] };
  }
}
