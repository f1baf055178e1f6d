import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Public } from '../../auth/auth.guard.js';
import type { Principal } from '../../common/tenant-scope.js';
import type {
  CaseCredentials,
  CaseView,
  FollowResponse,
  MapResponse,
  NearbyResponse,
  PortalCategoriesResponse,
  ReplyResponse,
  ReportListResponse,
  SubmissionResponse,
} from './reports.api.js';
import { PortalCsrf } from '../identity/csrf.js';
import { CitizenSessions } from '../identity/sessions.js';
import { FollowersService } from './followers.js';
import { ReportModerationService } from './merge.service.js';
import { PortalThrottle } from './portal-throttle.js';
import { PortalReportsService } from './reports.service.js';
import type { UploadedFile } from './submission.js';
import { PortalUploadInterceptor } from './upload.js';

type Json = Record<string, unknown>;
const obj = (b: unknown): Json => (typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Json) : {});

/**
 * "Segnala un disservizio" and "Richiedi assistenza" from the citizen portal, without login:
 * categories, nearby duplicates, the public map and its list, submission, the case page by
 * reference and e-mail (reply, rating), following a report.
 */
@ApiTags('portal: reports and requests')
@Public()
@Controller('api/portal/v1')
export class PortalReportsController {
  constructor(
    private readonly reports: PortalReportsService,
    private readonly followers: FollowersService,
    private readonly throttle: PortalThrottle,
    private readonly sessions: CitizenSessions,
    private readonly csrf: PortalCsrf,
  ) {}

  @Get('comuni/:slug/report-categories')
  categories(@Param('slug') slug: string): Promise<PortalCategoriesResponse> {
    return this.reports.categories(slug);
  }

  @Get('comuni/:slug/reports/nearby')
  nearby(@Param('slug') slug: string, @Query() q: Record<string, string>): Promise<NearbyResponse> {
    return this.reports.nearby(slug, { lat: q.lat, lon: q.lon, category: q.category });
  }

  @Get('comuni/:slug/reports/map')
  map(@Param('slug') slug: string, @Query() q: Record<string, string>): Promise<MapResponse> {
    return this.reports.map(slug, { bbox: q.bbox, category: q.category, state: q.state, since: q.since });
  }

  @Get('comuni/:slug/reports')
  list(@Param('slug') slug: string, @Query() q: Record<string, string>): Promise<ReportListResponse> {
    return this.reports.list(slug, {
      bbox: q.bbox,
      category: q.category,
      state: q.state,
      since: q.since,
      page: q.page,
      pageSize: q.pageSize,
    });
  }

  /** 201 with the tracking code and the access key; 200 when the same submissionId was already stored. */
  @Post('comuni/:slug/reports')
  @ApiConsumes('multipart/form-data', 'application/json')
  @UseInterceptors(PortalUploadInterceptor)
  report(@Param('slug') slug: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SubmissionResponse> {
    return this.submit(slug, 'report', req, res);
  }

  @Post('comuni/:slug/requests')
  @ApiConsumes('multipart/form-data', 'application/json')
  @UseInterceptors(PortalUploadInterceptor)
  request(@Param('slug') slug: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SubmissionResponse> {
    return this.submit(slug, 'request', req, res);
  }

  private async submit(slug: string, kind: 'report' | 'request', req: Request, res: Response): Promise<SubmissionResponse> {
    const uploaded = (req as Request & { files?: unknown }).files;
    const files = (Array.isArray(uploaded) ? uploaded : []) as UploadedFile[];
    const { created, ...out } = await this.reports.submit(slug, kind, obj(req.body), files, await this.citizenOf(req));
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return out;
  }

  /**
   * The logged-in citizen submitting, or null: a session and its CSRF token (a form posted from
   * another site carries the cookie but not the token, and stays anonymous). The form works the same either way.
   */
  private async citizenOf(req: Request): Promise<string | null> {
    const s = await this.sessions.current(req);
    if (!s) return null;
    return this.csrf.check(req).then(
      () => s.accountId,
      () => null,
    );
  }

  /** The case page: the same 404 for an unknown reference and a wrong e-mail; wrong pairs are throttled per address. */
  @Post('cases/lookup')
  @HttpCode(200)
  async lookup(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<CaseView> {
    return this.reports.view(await this.open(body, req, res));
  }

  @Post('cases/reply')
  async reply(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ReplyResponse> {
    const c = await this.open(body, req, res);
    const out = await this.reports.reply(c, obj(body));
    res.status(out.duplicate ? HttpStatus.OK : HttpStatus.CREATED);
    return out;
  }

  @Post('cases/rating')
  @HttpCode(204)
  async rate(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.reports.rate(await this.open(body, req, res), obj(body));
  }

  private async open(body: unknown, req: Request, res: Response) {
    await this.throttle.check(req, res);
    const b = obj(body);
    const c = await this.reports.findCase({ reference: b.reference, email: b.email, accessKey: b.accessKey } as CaseCredentials);
    if (!c) {
      await this.throttle.failed(req, res);
      throw this.reports.notFound();
    }
    return c;
  }

  /** "Segui questa": 201 when the address starts following, 200 when it already did. */
  @Post('reports/:reference/follow')
  async follow(
    @Param('reference') reference: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FollowResponse> {
    const { created, ...out } = await this.followers.follow(reference, obj(body));
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return { ...out, created };
  }

  @Post('followers/unfollow')
  @HttpCode(204)
  async unfollow(@Body() body: unknown): Promise<void> {
    await this.followers.unfollow(obj(body).token);
  }

  /** A photo marked public, or an attachment of the citizen's own case by a signed link. */
  @Get('attachments/:id')
  async attachment(
    @Param('id') id: string,
    @Query('exp') exp: string | undefined,
    @Query('sig') sig: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const a = await this.reports.attachment(id, exp, sig);
    res.setHeader('Content-Type', a.contentType);
    res.setHeader(
      'Content-Disposition',
      contentDisposition(a.filename, { type: a.contentType.startsWith('image/') ? 'inline' : 'attachment' }),
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.end(a.bytes);
  }
}

/** The operators' side: merge a duplicate report, publish a photo on the public map. */
@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
export class ReportModerationController {
  constructor(private readonly moderation: ReportModerationService) {}

  @Post('tickets/:id/merge')
  @HttpCode(200)
  merge(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.moderation.merge(p, id, obj(body).into);
  }

  @Patch('tickets/:id/attachments/:aid')
  setPublic(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('aid') aid: string, @Body() body: unknown) {
    return this.moderation.setPublic(p, id, aid, obj(body));
  }
}
