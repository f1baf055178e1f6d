import { Injectable } from '@nestjs/common';
import type { ChannelAdapter } from './channel-adapter.js';

/** The channels this process can send on; each channel module registers its adapter at start. */
@Injectable()
export class ChannelRegistry {
  private readonly adapters = new Map<string, ChannelAdapter>();

  register(adapter: ChannelAdapter): void {
    if (this.adapters.has(adapter.channel)) throw new Error(`channel ${adapter.channel} registered twice`);
    this.adapters.set(adapter.channel, adapter);
  }

  get(channel: string): ChannelAdapter | undefined {
    return this.adapters.get(channel);
  }

  channels(): string[] {
    return [...this.adapters.keys()];
  }
}
