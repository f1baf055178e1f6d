import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../auth/auth.guard.js';
import { CitizenAuth, CurrentCitizen, type Citizen } from '../../portal/identity/citizen-auth.js';
import { CitizenViewer } from './viewer.js';
import type { PortalLang } from '../../portal/portal.api.js';
import { ParticipationFlags } from './flags.service.js';
import type {
  CommentsResponse,
  ContributionResponse,
  FlagResponse,
  FollowResponse,
  ItemDetail,
  ItemSummary,
  ItemsResponse,
  NewItemResponse,
  SpaceDetail,
  SpacesResponse,
} from './participation.api.js';
import { ParticipationService } from './participation.service.js';

const langOf = (raw: unknown): PortalLang => (raw === 'en' ? 'en' : 'it');
const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/**
 * The citizens' side of every participation service: spaces, items, contributions, reports to the
 * moderators, follows. Reading is public (a logged-in citizen also sees what they did); acting
 * needs a session at the level the service's manifest (or the space) asks.
 */
@ApiTags('portal')
@Controller('api/portal/v1')
export class ParticipationPortalController {
  constructor(
    private readonly participation: ParticipationService,
    private readonly flags: ParticipationFlags,
    private readonly citizens: CitizenViewer,
  ) {}

  private viewer(req: Request): Promise<Citizen | null> {
    return this.citizens.of(req);
  }

  @Public()
  @Get('comuni/:slug/spaces')
  spaces(@Param('slug') slug: string, @Query('service') service?: string, @Query('lang') lang?: string): Promise<SpacesResponse> {
    return this.participation.spaces(slug, langOf(one(lang)), one(service) as string | undefined);
  }

  @Public()
  @Get('comuni/:slug/spaces/:space')
  async space(
    @Req() req: Request,
    @Param('slug') slug: string,
    @Param('space') space: string,
    @Query('lang') lang?: string,
  ): Promise<SpaceDetail> {
    return this.participation.space(slug, space, langOf(one(lang)), await this.viewer(req));
  }

  @Public()
  @Get('participation/spaces/:id/items')
  items(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ItemsResponse> {
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, one(v)]));
    return this.participation.items(id, q, langOf(q.lang));
  }

  @Public()
  @Get('participation/spaces/:id/similar')
  async similar(@Param('id') id: string, @Query('q') q?: string, @Query('lang') lang?: string): Promise<{ items: ItemSummary[] }> {
    return { items: await this.participation.similar(id, one(q) as string, langOf(one(lang))) };
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('participation/spaces/:id/items')
  createItem(
    @CurrentCitizen() c: Citizen,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query('lang') lang?: string,
  ): Promise<NewItemResponse> {
    return this.participation.createItem(c, id, body, langOf(one(lang)));
  }

  @Public()
  @Get('participation/items/:id')
  async item(@Req() req: Request, @Param('id') id: string, @Query('lang') lang?: string): Promise<ItemDetail> {
    return this.participation.item(id, langOf(one(lang)), await this.viewer(req));
  }

  @Public()
  @Get('participation/items/:id/comments')
  async comments(@Req() req: Request, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<CommentsResponse> {
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, one(v)]));
    return this.participation.comments(id, q, await this.viewer(req));
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('participation/items/:id/contributions')
  @HttpCode(200)
  contribute(@CurrentCitizen() c: Citizen, @Param('id') id: string, @Body() body: unknown): Promise<ContributionResponse> {
    return this.participation.contribute(c, id, body);
  }

  @CitizenAuth({ assurance: 'email' })
  @Delete('participation/items/:id/contributions/:kind')
  withdraw(
    @CurrentCitizen() c: Citizen,
    @Param('id') id: string,
    @Param('kind') kind: string,
  ): Promise<{ withdrawn: boolean; itemScore: number }> {
    return this.participation.withdraw(c, id, kind);
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('participation/flags')
  @HttpCode(200)
  flag(@CurrentCitizen() c: Citizen, @Body() body: unknown): Promise<FlagResponse> {
    return this.flags.flag(c, body);
  }

  @CitizenAuth({ assurance: 'email' })
  @Post('participation/follows')
  @HttpCode(200)
  follow(@CurrentCitizen() c: Citizen, @Body() body: unknown): Promise<FollowResponse> {
    const on = typeof body === 'object' && body !== null && (body as { following?: unknown }).following !== false;
    return this.participation.follow(c, body, on);
  }
}
