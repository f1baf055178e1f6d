import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/config.js';
import { currentCorrelationId } from './common/correlation.js';
import { rolesOf } from './common/roles.js';
import { InfrastructureModule } from './infrastructure.module.js';
import { AuthModule } from './auth/auth.module.js';
import { RoutingModule } from './routing/routing.module.js';
import { OperatorsModule } from './operators/operators.module.js';
import { TicketsModule } from './tickets/tickets.module.js';
import { WebchatModule } from './channels/webchat/webchat.module.js';
import { AppChannelModule } from './channels/app/app-channel.module.js';
import { EmailModule } from './channels/email/email.module.js';
import { ChannelAccountsModule } from './channels/accounts/accounts.module.js';
import { TelegramModule } from './channels/telegram/telegram.module.js';
import { WhatsappModule } from './channels/whatsapp/whatsapp.module.js';
import { WhatsappWebModule } from './channels/whatsapp-web/whatsapp-web.module.js';
import { CounterChannelModule } from './channels/counter/counter.module.js';
import { NotificationsModule } from './channels/notifications/notifications.module.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { ConsoleModule } from './console/console.module.js';
import { WebModule } from './web/web.module.js';
import { CatalogueModule } from './portal/catalogue/catalogue.module.js';
import { HealthController } from './ops/health.controller.js';
import { REDACTED_HEADER_PATHS, redactRequestSecrets } from './channels/support/log-redaction.js';
import { PortalIdentityModule } from './portal/identity/portal-identity.module.js';
import { PortalReportsModule } from './portal/reports/portal-reports.module.js';
import { PortalSettingsModule } from './portal/settings/settings.module.js';
import { PortalPrivacyModule } from './portal/privacy/privacy.module.js';
import { participationModule } from './participation/participation.services.js';
import { MetricsModule } from './ops/metrics.module.js';
import { JobsModule } from './jobs/jobs.module.js';

/**
 * The whole application, assembled for a role: `api` serves HTTP and sockets, `worker` runs the
 * BullMQ workers (and answers health and metrics), `all` (the default) does both in one process.
 */
@Module({})
export class AppModule {
  /** `extra`: more feature modules, e.g. a case type that only the tests contribute. */
  static forConfig(config: AppConfig, extra: DynamicModule[] = []): DynamicModule {
    const roles = rolesOf(config);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            mixin: () => {
              const correlationId = currentCorrelationId();
              return correlationId ? { correlationId } : {};
            },
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            // Secrets in headers (web-chat session, API keys, …) and in query strings (WhatsApp's hub.verify_token).
            redact: REDACTED_HEADER_PATHS,
            serializers: { req: redactRequestSecrets },
          },
        }),
        InfrastructureModule.forConfig(config),
        AuthModule,
        RoutingModule.register(roles),
        OperatorsModule.register(roles),
        TicketsModule.register(roles, RoutingModule.register(roles)),
        WebchatModule.register(roles),
        AppChannelModule.register(roles),
        EmailModule.register(roles),
        ChannelAccountsModule.register(roles),
        TelegramModule.register(roles),
        WhatsappModule.register(roles),
        WhatsappWebModule.register(roles),
        CounterChannelModule.register(roles),
        NotificationsModule.register(roles),
        AnalyticsModule.register(roles),
        ConsoleModule.register(roles),
        CatalogueModule.register(roles),
        WebModule.register(roles),
        PortalIdentityModule.register(roles),
        PortalReportsModule.register(roles),
        PortalSettingsModule.register(roles),
        PortalPrivacyModule.register(roles),
        participationModule(roles),
        ...extra,
        // For the health controller.
        MetricsModule,
        JobsModule,
      ],
      controllers: [HealthController],
    };
  }
}
