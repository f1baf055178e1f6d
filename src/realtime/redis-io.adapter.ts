import { IoAdapter } from '@nestjs/platform-socket.io';
import type { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.js';
import { redisOptionsFromUrl } from '../jobs/redis-connection.js';
import { socketIoKey } from './realtime.service.js';
import { OriginPolicy } from '../security/origins.js';

/** Socket.IO through Redis pub/sub: several API instances (and the workers' emitter) share rooms. */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;
  private readonly origins: OriginPolicy;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
    this.origins = new OriginPolicy(config);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server: Server = super.createIOServer(port, {
      ...(options as ServerOptions),
      ...this.origins.socketOptions(),
      maxHttpBufferSize: 1e6,
    });
    this.origins.guardNamespaces(server);
    if (!this.pub) {
      this.pub = new Redis(redisOptionsFromUrl(this.config.redisUrl));
      this.sub = this.pub.duplicate();
      const quiet = () => undefined;
      this.pub.on('error', quiet);
      this.sub.on('error', quiet);
    }
    server.adapter(createAdapter(this.pub, this.sub!, { key: socketIoKey(this.config), requestsTimeout: 3000 }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}
