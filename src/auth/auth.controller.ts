import { Body, Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { setSessionCookies } from '../security/session-cookie.js';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Principal } from '../common/tenant-scope.js';
import { AuthService } from './auth.service.js';
import { CurrentPrincipal, Public } from './auth.guard.js';
import { ThrottleAuthFailures } from '../security/throttle.js';
import type { LoginResponse } from './auth.api.js';

export class LoginDto {
  @ApiProperty({ example: 'operatore@bari.demo' })
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'sportello-demo' })
  @IsString({ message: 'must be a text' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(1024)
  password!: string;
}

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('auth/login')
  @ThrottleAuthFailures('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    const session = await this.auth.login(body.email, body.password);
    // The same token as an HttpOnly cookie for what the browser opens by itself (attachments, /admin, /api/docs).
    setSessionCookies(res, this.config, session.accessToken);
    return session;
  }

  @Public()
  @Post('auth/logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) res: Response): void {
    setSessionCookies(res, this.config, null);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
