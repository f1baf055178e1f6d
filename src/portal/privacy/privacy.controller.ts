import { Body, Controller, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CitizenAuth, CurrentCitizen, type Citizen } from '../identity/citizen-auth.js';
import { CITIZEN_COOKIE, CitizenSessions } from '../identity/sessions.js';
import type { ErasureAccepted, MyDataExport } from './privacy.api.js';
import { PrivacyService } from './privacy.service.js';

type Json = Record<string, unknown>;
const obj = (b: unknown): Json => (typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Json) : {});

/** The citizen's data-subject rights: download all my data, ask for erasure. */
@ApiTags('portal')
@Controller('api/portal/v1/me')
export class PrivacyController {
  constructor(
    private readonly privacy: PrivacyService,
    private readonly sessions: CitizenSessions,
  ) {}

  @CitizenAuth({ assurance: 'email' })
  @Get('data')
  @ApiOperation({ summary: 'Everything Sportello holds about the logged-in citizen, as a JSON file (GDPR arts. 15 and 20)' })
  async data(@CurrentCitizen() citizen: Citizen, @Res({ passthrough: true }) res: Response): Promise<MyDataExport> {
    const out = await this.privacy.export(citizen);
    res.setHeader('Content-Disposition', `attachment; filename="sportello-dati-${out.generatedAt.slice(0, 10)}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    return out;
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('erasure')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Erasure of the account and of the personal data of its cases (GDPR art. 17): 202, carried out by a job' })
  async erase(
    @CurrentCitizen() citizen: Citizen,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ErasureAccepted> {
    const out = await this.privacy.requestErasure(citizen, obj(body));
    res.clearCookie(CITIZEN_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.sessions.secure(res.req) });
    return out;
  }
}
