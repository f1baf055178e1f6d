import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CitizenAuth, CurrentCitizen, type Citizen } from '../identity/citizen-auth.js';
import type { LinkDestinationsResponse, MyConsentsResponse, NotificationSettings, WithdrawConsentResponse } from './settings.api.js';
import { PortalSettingsService } from './settings.service.js';

/** The personal area's settings: notification preferences, consents, where to send a link code. */
@ApiTags('portal')
@Controller('api/portal/v1/me')
export class PortalSettingsController {
  constructor(private readonly settings: PortalSettingsService) {}

  @CitizenAuth({ assurance: 'email' })
  @Get('notifications')
  notifications(@CurrentCitizen() citizen: Citizen): Promise<NotificationSettings> {
    return this.settings.notifications(citizen);
  }

  @CitizenAuth({ assurance: 'email' })
  @Put('notifications')
  setNotifications(@CurrentCitizen() citizen: Citizen, @Body() body: unknown): Promise<NotificationSettings> {
    return this.settings.setNotifications(citizen, body);
  }

  @CitizenAuth({ assurance: 'email' })
  @Get('consents')
  async consents(): Promise<MyConsentsResponse> {
    return { consents: await this.settings.consents() };
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('consents/:id/withdraw')
  @HttpCode(200)
  withdraw(@Param('id') id: string): Promise<WithdrawConsentResponse> {
    return this.settings.withdraw(id);
  }

  @CitizenAuth({ assurance: 'email' })
  @Get('links/destinations')
  async destinations(): Promise<LinkDestinationsResponse> {
    return { destinations: await this.settings.destinations() };
  }
}
