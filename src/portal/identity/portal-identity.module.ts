import { Module, type DynamicModule } from '@nestjs/common';
import type { ProcessRoles } from '../../common/roles.js';
import { CitizenAccounts } from './accounts.js';
import { CitizenGuard, CitizenScopeInterceptor, PortalCsrfGuard } from './citizen-auth.js';
import { PortalCsrf } from './csrf.js';
import { EmailLogin } from './email-login.js';
import { ChannelLinkInterceptor, ChannelLinks, ChannelLinksController } from './links.js';
import { OidcLogin } from './oidc.service.js';
import { PortalAuthController } from './portal-auth.controller.js';
import { CitizenSessions } from './sessions.js';

/**
 * The citizen's identity on the portal (platform layer): accounts keyed on the verified fiscal code,
 * SPID/CIE through an OpenID Connect gateway, e-mail codes, sessions and CSRF, and the guard other
 * portal modules use (`@CitizenAuth({ assurance })`, `@CurrentCitizen()`).
 */
@Module({})
export class PortalIdentityModule {
  static register(roles: ProcessRoles): DynamicModule {
    const providers = [
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
    return {
      module: PortalIdentityModule,
      global: true,
      providers: [...providers, ChannelLinkInterceptor],
      controllers: roles.api ? [PortalAuthController, ChannelLinksController] : [],
      exports: providers,
    };
  }
}
