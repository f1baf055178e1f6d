import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { CurrentPrincipal, Roles } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import { ChannelAccountsService } from '../accounts/channel-accounts.service.js';
import { WhatsappWebSessions } from './wwebjs-sessions.js';
import type { PairingView } from './whatsapp-web.api.js';

/**
 * Pairing of a whatsapp-web.js session, for the console to poll (every few seconds while the
 * administrator has the page open): the state, and while pairing is needed the QR code to scan
 * from WhatsApp › Linked devices, as an image.
 */
@ApiTags('channel accounts')
@ApiBearerAuth()
@Roles('manager', 'metro_admin')
@Controller('api/channel-accounts')
export class WhatsappWebController {
  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly sessions: WhatsappWebSessions,
  ) {}

  @Get(':id/pairing')
  async pairing(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<PairingView> {
    const account = await this.accounts.get(p, id);
    if (account.channel !== 'whatsapp-web')
      return { state: 'not_applicable', qr: null, qrImage: null, detail: 'only whatsapp-web accounts are paired with a QR code' };
    const pairing = await this.sessions.pairing(account.id);
    const qrImage = pairing.qr ? await QRCode.toDataURL(pairing.qr, { errorCorrectionLevel: 'L', margin: 2, width: 300 }) : null;
    return { state: pairing.state, qr: pairing.qr, qrImage, detail: pairing.detail, updatedAt: pairing.updatedAt };
  }
}
