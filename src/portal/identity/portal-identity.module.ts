import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { ChannelsCoreModule } from '../../channels/channels-core.module.js';
import { SecurityModule } from '../../security/security.module.js';
import { CitizenAccounts } from './accounts.js';
import { CitizenGuard, CitizenScopeInterceptor, PortalCsrfGuard } from './citizen-auth.js';
import { PortalCsrf } from './csrf.js';
import { EmailLogin } from './email-login.js';
import { ChannelLinkInterceptor, ChannelLinks, ChannelLinksController } from './links.js';
import { OidcLogin } from './oidc.service.js';
import { PortalAuthController } from './portal-auth.controller.js';
import { CitizenSessions } from './sessions.js';

const PROVIDERS = [
  CitizenAccounts,
  CitizenSessions,
  PortalCsrf,
  OidcLogin,
  EmailLogin,
  CitizenGuard,
  PortalCsrfGuard,
  CitizenScopeInterceptor,
  ChannelLinks,
];

/**
 * What another portal module imports to protect its routes with `@CitizenAuth({ assurance })` and
 * read `@CurrentCitizen()`: a static module, so every importer shares one instance.
 */
@Module({ imports: [ChannelsCoreModule, SecurityModule], providers: PROVIDERS, exports: PROVIDERS })
export class CitizenAuthModule {}

/**
 * The citizen's identity on the portal (platform layer): accounts keyed on the verified fiscal code,
 * SPID/CIE through an OpenID Connect gateway, e-mail codes, sessions and CSRF, the routes that log a
 * citizen in and link channels, and the inbound interceptor that redeems link codes.
 */
@Module({})
export class PortalIdentityModule {
  static register(roles: ProcessRoles): DynamicModule {
    return {
      module: PortalIdentityModule,
      imports: [CitizenAuthModule, ChannelsCoreModule, SecurityModule],
      providers: [ChannelLinkInterceptor],
      controllers: roles.api ? [PortalAuthController, ChannelLinksController] : [],
    };
  }
}
