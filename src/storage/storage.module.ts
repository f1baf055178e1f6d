import { Module } from '@nestjs/common';
import { AttachmentStorage, LocalDiskStorage } from './storage.js';

/** Where attachments' bytes are kept (local disk today). */
@Module({
  providers: [{ provide: AttachmentStorage, useClass: LocalDiskStorage }],
  exports: [AttachmentStorage],
})
export class StorageModule {}
