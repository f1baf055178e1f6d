import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { runsApi, runsWorkers, type AppConfig } from './config/config.js';
import { currentCorrelationId } from './common/correlation.js';
import { PlatformModule } from './platform.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AssignmentService } from './routing/assignment.service.js';
import { RoutingProcessor } from './routing/routing.processor.js';
import { PresenceService } from './operators/presence.service.js';
import { OperatorsController } from './operators/operators.controller.js';
import { TicketsService } from './tickets/tickets.service.js';
import { TicketsController } from './tickets/tickets.controller.js';
import { IngestService } from './channels/ingest.service.js';
import { ChannelRegistry } from './channels/channel-registry.js';
import { OutboundDelivery } from './channels/outbound-delivery.js';
import { ChannelsBootstrap } from './channels/channels.bootstrap.js';
import { WebchatGateway } from './channels/webchat/webchat.gateway.js';
import { WebchatAdapter, WebchatOutboundProcessor } from './channels/webchat/webchat.adapter.js';
import { AppChannelController, AppKeys } from './channels/app/app-channel.controller.js';
import { AppAdapter, AppOutboundProcessor } from './channels/app/app.adapter.js';
import { AgentGateway } from './realtime/agent.gateway.js';
import { HealthController } from './ops/health.controller.js';

/**
 * The whole application, assembled for a role: `api` serves HTTP and sockets, `worker` runs the
 * BullMQ workers (and answers health and metrics), `all` (the default) does both in one process.
 */
@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    const api = runsApi(config);
    const workers = runsWorkers(config);
    const controllers: Type[] = [HealthController];
    const providers: Provider[] = [
      AssignmentService, PresenceService, TicketsService, IngestService, ChannelRegistry, OutboundDelivery,
      WebchatAdapter, AppAdapter, ChannelsBootstrap,
    ];
    if (api) {
      controllers.push(TicketsController, OperatorsController, AppChannelController);
      providers.push(AppKeys, AgentGateway, WebchatGateway);
    }
    if (workers) providers.push(RoutingProcessor, WebchatOutboundProcessor, AppOutboundProcessor);
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
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
          },
        }),
        PlatformModule.forConfig(config),
        AuthModule,
      ],
      controllers,
      providers,
    };
  }
}
