import { Module } from '@nestjs/common';
import { ComuniService } from './comuni.service.js';

/** The comuni and where they are (locating a position in a comune). */
@Module({ providers: [ComuniService], exports: [ComuniService] })
export class ComuniModule {}
