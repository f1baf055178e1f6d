import { Body, Controller, Get, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CitizenAuth, CurrentCitizen, type Citizen } from '../identity/citizen-auth.js';
import type { MyCaseDetail, MyCasesResponse, MyReplyResponse } from './mine.api.js';
import { MyCasesService } from './mine.service.js';

type Json = Record<string, unknown>;
const obj = (b: unknown): Json => (typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Json) : {});

/** "Le mie richieste": the logged-in citizen's cases, one case, a reply from the web. */
@ApiTags('portal')
@Controller('api/portal/v1/me/cases')
export class MyCasesController {
  constructor(private readonly mine: MyCasesService) {}

  @CitizenAuth({ assurance: 'email' })
  @Get()
  list(): Promise<MyCasesResponse> {
    return this.mine.list();
  }

  @CitizenAuth({ assurance: 'email' })
  @Get(':reference')
  detail(@Param('reference') reference: string): Promise<MyCaseDetail> {
    return this.mine.detail(reference);
  }

  /** 201 with the message id; 200 when the same clientMessageId was already stored. */
  @CitizenAuth({ assurance: 'email' })
  @Post(':reference/messages')
  async reply(
    @CurrentCitizen() citizen: Citizen,
    @Param('reference') reference: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MyReplyResponse> {
    const out = await this.mine.reply(citizen, reference, obj(body));
    res.status(out.duplicate ? HttpStatus.OK : HttpStatus.CREATED);
    return out;
  }
}
