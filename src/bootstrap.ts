import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { json, raw, urlencoded, type NextFunction, type Request, type Response } from 'express';
import compression from 'compression';
import { AppModule } from './app.module.js';
import { ALL_QUEUES } from './channels/channels.js';
import { runsApi, type AppConfig } from './config/config.js';
import { withCorrelation } from './common/correlation.js';
import { AllExceptionsFilter } from './common/exception.filter.js';
import { createValidationPipe } from './common/validation.js';
import { mountQueueBoard } from './ops/queue-board.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';
import { OriginPolicy } from './security/origins.js';
import { ADMIN_PAGES, securityHeaders } from './security/headers.js';
import { docsGuard } from './ops/ops-access.js';
import { CaseTypeRegistry } from './cases/case-type.registry.js';
import { caseTypePayloadModels, describeCaseTypes } from './cases/case-types.openapi.js';
import { AuthService } from './auth/auth.service.js';
import { JobHandlersCheck } from './jobs/job-handlers.check.js';
import { PORTAL_ASSETS } from './web/portal.controller.js';

/** The routes whose JSON bodies carry attachments (base64), with the larger body limit. */
export const LARGE_JSON_ROUTES = ['/api/app/v1/messages'];

/** Builds the application for a configuration; `listen` is the caller's choice (tests use port 0). */
export async function createApp(
  config: AppConfig,
  options: { logger?: boolean; modules?: DynamicModule[] } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, options.modules), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  try {
    app.get(JobHandlersCheck).assert();
  } catch (err) {
    await app.close();
    throw err;
  }
  if (options.logger !== false) app.useLogger(app.get(Logger));
  else app.useLogger(false);
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-correlation-id'];
    const id = typeof given === 'string' && /^[\w-]{8,100}$/.test(given) ? given : undefined;
    withCorrelation(id, () => next());
  });
  // Provider webhooks authenticate the exact bytes they sent (WhatsApp's HMAC, Telegram's secret
  // header): their bodies stay raw Buffers here, and the channel parses them only once authenticated.
  // The front-ends' scripts and stylesheets (Bootstrap Italia's is 570 kB) travel compressed: a phone
  // on a slow network gets a fifth of the bytes. API responses, streams and sockets are left alone.
  const assets = [`/${PORTAL_ASSETS}/`, '/console/', '/widget.js'];
  app.use(compression({ filter: (req, res) => assets.some((a) => req.path.startsWith(a)) && compression.filter(req, res) }));
  app.use(['/webhooks/whatsapp', '/webhooks/telegram'], raw({ type: () => true, limit: '2mb' }));
  // Bodies are small (HTTP_BODY_LIMIT) except where attachments travel inside JSON: the app
  // channel's photos, base64-encoded, up to three. A larger body is refused with 413 from its
  // Content-Length, before it is read. (Web-chat photos are raw bytes, limited by their route.)
  app.use(LARGE_JSON_ROUTES, json({ limit: Math.ceil(config.maxAttachmentBytes * 1.4 * 3 + 64 * 1024) }));
  app.use(json({ limit: config.http.bodyLimit }));
  app.use(urlencoded({ extended: false, limit: config.http.bodyLimit }));
  const headers = securityHeaders(config);
  app.use(headers.all);
  app.use(ADMIN_PAGES, headers.adminPages);
  app.enableCors(new OriginPolicy(config).express());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

  if (runsApi(config)) {
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Sportello API')
        .setDescription('URP digitale della Città Metropolitana di Bari — REST API. Real-time: Socket.IO namespaces /agent and /webchat.')
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
      { extraModels: caseTypePayloadModels(app.get(CaseTypeRegistry)) },
    );
    describeCaseTypes(doc, app.get(CaseTypeRegistry));
    app.use(['/api/docs', '/api/docs-json', '/api/docs-yaml'], docsGuard(config, app.get(AuthService)));
    SwaggerModule.setup('api/docs', app, doc);
    mountQueueBoard(app, ALL_QUEUES);
  }
  return app;
}
