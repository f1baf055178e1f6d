import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../common/roles.js';
import { ComuniModule } from '../comuni/comuni.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { SecurityModule } from '../security/security.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { WebController } from './web.controller.js';
import { WidgetController } from './widget.controller.js';
import { PortalController } from './portal.controller.js';

/** The front-ends served by the API (console, widget, demo site, citizen portal) and the widget's REST endpoints. Registered last: the portal's `/:slug` must come after every other single-segment route. */
@Module({})
export class WebModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: WebModule,
      imports: [ComuniModule, ConversationsModule, StorageModule, SecurityModule],
      controllers: roles.api ? [WidgetController, WebController, PortalController] : [],
    };
  }
}
