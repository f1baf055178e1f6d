import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { json, raw, urlencoded, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module.js';
import { ALL_QUEUES } from './channels/channels.js';
import { runsApi, type AppConfig } from './config/config.js';
import { withCorrelation } from './common/correlation.js';
import { AllExceptionsFilter } from './common/exception.filter.js';
import { createValidationPipe } from './common/validation.js';
import { mountQueueBoard } from './ops/queue-board.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';

/** Builds the application for a configuration; `listen` is the caller's choice (tests use port 0). */
export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  else app.useLogger(false);
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-correlation-id'];
    const id = typeof given === 'string' && /^[\w-]{8,100}$/.test(given) ? given : undefined;
    withCorrelation(id, () => next());
  });
  // Provider webhooks authenticate the exact bytes they sent (WhatsApp's HMAC, Telegram's secret
  // header): their bodies stay raw Buffers here, and the channel parses them only once authenticated.
  app.use(['/webhooks/whatsapp', '/webhooks/telegram'], raw({ type: () => true, limit: '2mb' }));
  // Photos come base64-encoded in JSON from the app channel: the body limit leaves room for three.
  app.use(json({ limit: Math.ceil(config.maxAttachmentBytes * 1.4 * 3 + 64 * 1024) }));
  app.use(urlencoded({ extended: false, limit: '100kb' }));
  app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, credentials: true });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

  if (runsApi(config)) {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder()
      .setTitle('Sportello API')
      .setDescription('URP digitale della Città Metropolitana di Bari — REST API. Real-time: Socket.IO namespaces /agent and /webchat.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build());
    SwaggerModule.setup('api/docs', app, doc);
    mountQueueBoard(app, ALL_QUEUES);
  }
  return app;
}
