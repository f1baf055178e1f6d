import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Principal } from '../common/tenant-scope.js';
import { AuthService } from './auth.service.js';
import { CurrentPrincipal, Public } from './auth.guard.js';
import { ThrottleAuthFailures } from '../security/throttle.js';

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
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @ThrottleAuthFailures('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto): Promise<{ accessToken: string; operator: Principal }> {
    return this.auth.login(body.email, body.password);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
