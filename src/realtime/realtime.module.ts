import { Module } from '@nestjs/common';
import { RealtimeService } from './realtime.service.js';

/**
 * Publishing to the operators' and the citizens' sockets (rooms in src/realtime/rooms.ts). The
 * gateways that accept those sockets belong to the modules that own the conversation: the
 * operators' /agent (src/operators/) and the web chat's /webchat (src/channels/webchat/).
 */
@Module({ providers: [RealtimeService], exports: [RealtimeService] })
export class RealtimeModule {}
