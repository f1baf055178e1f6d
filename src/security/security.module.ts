import { Module } from '@nestjs/common';
import { Limiters } from './limiters.js';
import { AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle } from './throttle.js';

/**
 * Throttling shared by every API process through Redis (src/security/limiters.ts). A static module:
 * one set of limiters (one Redis connection) however many modules import it.
 */
@Module({
  providers: [Limiters, AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle],
  exports: [Limiters, AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle],
})
export class SecurityModule {}
