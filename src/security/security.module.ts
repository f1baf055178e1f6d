import { Global, Module } from '@nestjs/common';
import { Limiters } from './limiters.js';
import { AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle } from './throttle.js';

/** Throttling shared by every API process through Redis (src/security/limiters.ts). */
@Global()
@Module({
  providers: [Limiters, AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle],
  exports: [Limiters, AuthFailureThrottle, WebchatRestThrottle, WebchatThrottle],
})
export class SecurityModule {}
