import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry.js';
import { WebchatAdapter } from './webchat/webchat.adapter.js';
import { AppAdapter } from './app/app.adapter.js';

/** Registers each channel's outbound adapter. A new channel adds its adapter here. */
@Injectable()
export class ChannelsBootstrap implements OnModuleInit {
  constructor(private readonly registry: ChannelRegistry, private readonly webchat: WebchatAdapter, private readonly app: AppAdapter) {}

  onModuleInit(): void {
    this.registry.register(this.webchat);
    this.registry.register(this.app);
  }
}
