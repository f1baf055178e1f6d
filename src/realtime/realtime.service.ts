import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { redisOptionsFromUrl } from '../jobs/redis-connection.js';
import type { AgentServerEvents, WebchatServerEvents } from './events.api.js';
import { rooms } from './rooms.js';

export const socketIoKey = (config: AppConfig): string => `${config.redisPrefix}-socket.io`;

/**
 * Publishes Socket.IO events through Redis, so an API instance, a worker process or another
 * machine reach the sockets wherever they are connected. Events are notifications of state that
 * is already committed: when Redis is down they are dropped (clients re-read on reconnect),
 * never queued in memory.
 */
@Injectable()
export class RealtimeService implements OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeService.name);
  private readonly redis: Redis;
  private readonly emitter: Emitter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.redisUrl), enableOfflineQueue: false, lazyConnect: false });
    this.redis.on('error', (err: Error) => this.logger.debug(`realtime redis: ${err.message}`));
    // The emitter publishes without waiting: a publish refused because the connection just dropped
    // (no offline queue) would be an unhandled rejection. It is the same dropped event as below.
    const publisher = {
      publish: (channel: string, message: string | Buffer) =>
        this.redis.publish(channel, message).catch((err: Error) => {
          this.logger.warn(`realtime event dropped: ${err.message}`);
          return 0;
        }),
    };
    this.emitter = new Emitter(publisher, { key: socketIoKey(config) });
  }

  toAgents<E extends keyof AgentServerEvents>(to: string[], event: E, payload: Parameters<AgentServerEvents[E]>[0]): void {
    if (to.length === 0) return;
    this.safely(() => this.emitter.of('/agent').to(to).emit(event, payload));
  }

  toWebchat<E extends keyof WebchatServerEvents>(address: string, event: E, payload: Parameters<WebchatServerEvents[E]>[0]): void {
    this.safely(() => this.emitter.of('/webchat').to(rooms.webchatSession(address)).emit(event, payload));
  }

  isConnected(): boolean {
    return this.redis.status === 'ready';
  }

  private safely(fn: () => unknown): void {
    if (this.redis.status !== 'ready') {
      this.logger.warn('realtime event dropped: Redis is not connected');
      return;
    }
    try {
      fn();
    } catch (err) {
      this.logger.warn(`realtime event dropped: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
