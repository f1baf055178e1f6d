import type { Socket } from 'socket.io-client';
import type request from 'supertest';
import { AgentGateway } from '../../src/operators/agent.gateway.js';
import { WebchatGateway } from '../../src/channels/webchat/webchat.gateway.js';
import {
  citizenSays,
  collect,
  connectAgent,
  connectCitizen,
  eventually,
  login,
  nextEvent,
  startApp,
  type TestApp,
} from '../support/harness.js';
import { comuneId, groupId, ticketByReference } from '../support/factories.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { adoptNoticeRecipient } from '../../src/channels/notifications/contact-adoption.js';
import { DataSource } from 'typeorm';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { runInScope } from '../../src/tenancy/db-scope.js';
import { httpRoutes, socketEvents, type HttpRoute, type SocketEvent } from '../support/route-inventory.js';

/**
 * The cross-comune matrix. Every HTTP route and socket event the running application registers
 * has an entry here, and every one that takes an id, a reference or a comune says how Modugno's
 * staff reach a Bari object through it. The contract: another comune's object answers 404,
 * always — exactly what an id that does not exist answers, so nothing tells it apart. A route
 * added without an entry, or a new id-like parameter on a route, fails the first test by name.
 *
 * How an entry is read:
 * - `noObject`: the route names no object of a comune (why).
 * - `probes`: one per parameter that names an object ("path:id", "query:groupId", "body:comuneId",
 *   "event:ticketId"): the request on Bari's object. Sent by every Modugno principal whose role the
 *   route's @Roles admits, it must answer 404 and change nothing; a Modugno role the route does not
 *   admit gets the guard's 403 (role, before any object is looked up). The positive control sends
 *   the same request as Bari's own staff and must NOT answer 404, so the probe cannot pass because
 *   the route is broken.
 * - `checks`: a parameter whose isolation is not "a Modugno operator gets 404" (citizen side,
 *   provider webhooks, socket events), with its own assertion.
 * - `notObjects`: an id-like parameter that names no comune's object (why).
 */

type Who = 'modOp' | 'modSup' | 'modMgr' | 'bariOp' | 'bariSup' | 'bariMgr' | 'admin';
const ROLE: Record<Who, string> = {
  modOp: 'operator',
  modSup: 'supervisor',
  modMgr: 'manager',
  bariOp: 'operator',
  bariSup: 'supervisor',
  bariMgr: 'manager',
  admin: 'metro_admin',
};
const MODUGNO: Who[] = ['modOp', 'modSup', 'modMgr'];
const slugOf = (who: Who) => (who.startsWith('mod') ? 'modugno' : 'bari');

interface Fixtures {
  bari: number;
  modugno: number;
  /** A Bari ticket from the app channel, with a photo. */
  ticket: { id: string; reference: string };
  attachment: string;
  /** A Modugno ticket: for body parameters naming Bari's objects on Modugno's own ticket. */
  modTicket: { id: string; reference: string };
  /** A Bari web-chat conversation: the citizen's message, and an operator's reply already sent. */
  web: { id: string; reference: string; citizenMessage: string; reply: string };
  urpBari: number;
  urpModugno: number;
  bariOperator: number;
  canned: { patch: number; remove: number };
  policy: { put: number; remove: number };
  /** Bari's catalogue entries (external services of the portal). */
  catalogue: { patch: number; remove: number };
  account: { whatsapp: number; telegram: number; whatsappWeb: number; email: number };
}

interface Ctx {
  t: TestApp;
  tok: Record<Who, string>;
  f: Fixtures;
  sockets: { modSup: Socket; bariSup: Socket; bariCitizen: Socket; modCitizen: Socket };
}

type Call = (c: Ctx, who: Who) => request.Test;
interface Probe {
  call: Call;
  /** Who sends the positive control (default: Bari's supervisor, or manager where the route needs one); or why there is none. */
  control?: Who | { none: string };
  /** Public routes: whose credentials stand for Modugno (an API key, a session) — default the route's roles. */
  as?: Who[];
}
interface Entry {
  noObject?: string;
  probes?: Record<string, Probe>;
  checks?: Record<string, (c: Ctx) => Promise<void>>;
  notObjects?: Record<string, string>;
}

const auth = (c: Ctx, who: Who) => ({ Authorization: `Bearer ${c.tok[who]}` });
const get =
  (url: (c: Ctx) => string): Call =>
  (c, who) =>
    c.t.http.get(url(c)).set(auth(c, who));
const post =
  (url: (c: Ctx) => string, body: (c: Ctx, who: Who) => object = () => ({})): Call =>
  (c, who) =>
    c.t.http.post(url(c)).set(auth(c, who)).send(body(c, who));
const patch =
  (url: (c: Ctx) => string, body: object): Call =>
  (c, who) =>
    c.t.http.patch(url(c)).set(auth(c, who)).send(body);
const put =
  (url: (c: Ctx) => string, body: object): Call =>
  (c, who) =>
    c.t.http.put(url(c)).set(auth(c, who)).send(body);
const del =
  (url: (c: Ctx) => string): Call =>
  (c, who) =>
    c.t.http.delete(url(c)).set(auth(c, who));

const STATIC = 'static files of the built front-ends and API docs: no data of any comune';
const PUBLIC_SLUG = "a comune slug on a public page (every comune's site, contact page and chat availability are public by design)";
const APP_PAGE = 'the same app page for any value: its data come from the participation API (checked there)';
const PUBLIC_PARTICIPATION =
  'a participation space or item: public in every comune once published (a draft, hidden or pending one answers 404 to the public)';
/** A citizen's action: a staff token is no citizen session, and even the comune's own staff get 401. */
const citizenOnly = (method: 'post' | 'delete', path: string) => async (c: Ctx) => {
  for (const who of ['modSup', 'bariSup', 'admin'] as Who[]) {
    const res = await c.t.http[method](path).set(auth(c, who)).send({ kind: 'comment', body: 'intrusione' });
    expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 401, code: 'login_required' });
  }
};

/** One entry per route. Keys: "METHOD /path" as express registers it, "USE /mount", "socket:/namespace event". */
const MATRIX: Record<string, Entry> = {
  // ── ops, auth, docs, static ──────────────────────────────────────────────────────────────
  'GET /health': { noObject: 'liveness of the process' },
  'GET /health/ready': { noObject: 'readiness of PostgreSQL and Redis' },
  'GET /metrics': { noObject: 'process metrics, no per-comune label' },
  'POST /api/auth/login': { noObject: "the caller's own credentials" },
  'POST /api/auth/logout': { noObject: "clears the caller's own session cookie" },
  'USE /admin/queues,/api/docs': { noObject: 'security headers (CSP, frame-ancestors) of the admin pages' },
  'USE /api/docs,/api/docs-json,/api/docs-yaml': { noObject: 'access check of the API docs (operator or API_DOCS_PUBLIC)' },
  'USE /api/app/v1/messages': { noObject: "the larger body limit of the app channel's messages (the route itself is checked)" },
  'GET /api/me': { noObject: "the caller's own principal" },
  'POST /api/presence': { noObject: "the caller's own presence" },
  'GET /api/operators': { noObject: "list scoped to the caller's comune (tenancy.spec checks no other comune's operator is listed)" },
  'GET /api/groups': { noObject: "list scoped to the caller's comune (tenancy.spec checks no other comune's group is listed)" },
  'GET /api/docs': { noObject: STATIC },
  'GET /api/docs/': { noObject: STATIC },
  'GET /api/docs/index.html': { noObject: STATIC },
  'GET /api/docs/LICENSE': { noObject: STATIC },
  'GET /api/docs/swagger-ui-init.js': { noObject: STATIC },
  'GET /api/docs/docs/swagger-ui-init.js': { noObject: STATIC },
  'GET /api/docs-json': { noObject: 'the OpenAPI document: routes, not data' },
  'GET /api/docs-yaml': { noObject: 'the OpenAPI document: routes, not data' },
  'USE /api/docs': { noObject: STATIC },
  'USE /api/docs/docs': { noObject: STATIC },
  'GET /console': { noObject: STATIC, notObjects: { 'path:path': 'a file of the built console' } },
  'GET /console/*path': { noObject: STATIC, notObjects: { 'path:path': 'a file of the built console' } },
  'GET /widget.js': { noObject: STATIC },
  'GET /demo/:slug': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /contatti/:slug': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/webchat/:slug/availability': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  // The citizen portal's public reads: the slug names the comune whose public reports are shown (no personal data).
  'GET /api/portal/v1/comuni/:slug/report-categories': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/reports/nearby': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/reports/map': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/reports': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'POST /api/portal/v1/comuni/:slug/reports': {
    notObjects: {
      'path:slug': 'the comune a citizen sends a report to (every comune takes reports from anyone; a pin elsewhere is refused)',
    },
  },
  'POST /api/portal/v1/comuni/:slug/requests': {
    notObjects: { 'path:slug': 'the comune a citizen sends a request to (every comune takes requests from anyone)' },
  },
  'POST /api/portal/v1/followers/unfollow': { noObject: "the token of the follower's own e-mail link" },
  // ── citizen portal (portal/, src/web/portal.controller.ts) and its catalogue (src/portal/catalogue) ──
  'GET /': { noObject: STATIC },
  'GET /accedi': { noObject: STATIC },
  'GET /area-personale': { noObject: STATIC },
  'GET /area-personale/richieste/:reference': {
    noObject: STATIC,
    notObjects: { 'path:reference': 'the same app page for any reference: the case is read by GET /api/portal/v1/me/cases/:reference' },
  },
  'GET /area-personale/canali': { noObject: STATIC },
  'GET /area-personale/notifiche': { noObject: STATIC },
  'GET /area-personale/consensi': { noObject: STATIC },
  'GET /:slug': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /:slug/servizi': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /:slug/segnalazioni': { notObjects: { 'path:slug': `${PUBLIC_SLUG}; the public map of its reports (no personal data)` } },
  'GET /:slug/segnala': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /:slug/richiedi-assistenza': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  // The participation pages (a page of the portal app: the data come from the participation API above).
  'GET /:slug/partecipa': { notObjects: { 'path:slug': `${PUBLIC_SLUG}, or the Metropolitan City's` } },
  'GET /:slug/partecipa/:space': {
    notObjects: { 'path:slug': `${PUBLIC_SLUG}, or the Metropolitan City's`, 'path:space': APP_PAGE },
  },
  'GET /:slug/partecipa/:space/:item': {
    notObjects: { 'path:slug': `${PUBLIC_SLUG}, or the Metropolitan City's`, 'path:space': APP_PAGE, 'path:item': APP_PAGE },
  },
  'GET /:slug/segnalazioni/non-seguire': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /:slug/segnalazioni/:reference': {
    notObjects: {
      'path:slug': PUBLIC_SLUG,
      'path:reference': 'the same app page for any reference: the case is read by POST /api/portal/v1/cases/lookup with its e-mail',
    },
  },
  'GET /_portal/*path': { noObject: STATIC, notObjects: { 'path:path': 'a file of the built portal' } },
  'GET /api/portal/v1/comuni': { noObject: 'the public list of the 41 comuni' },
  'GET /api/portal/v1/comuni/:slug': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/map': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/services': {
    notObjects: { 'path:slug': `${PUBLIC_SLUG}; row-level security shows the comune's entries and the Metropolitan City's only` },
  },
  'GET /api/console/catalogue': {
    noObject: "the caller's comune's entries and the Metropolitan City's (catalogue.spec checks no other comune's)",
  },
  'GET /api/console/catalogue/areas': { noObject: 'the fixed list of thematic areas' },
  'POST /api/console/catalogue': { noObject: "creates in the caller's own comune (or the Metropolitan City, for its administrator)" },
  'PATCH /api/console/catalogue/:id': {
    probes: { 'path:id': { call: patch((c) => `/api/console/catalogue/${c.f.catalogue.patch}`, { titleIt: 'Intruso' }) } },
  },
  'DELETE /api/console/catalogue/:id': { probes: { 'path:id': { call: del((c) => `/api/console/catalogue/${c.f.catalogue.remove}`) } } },
  'USE /webhooks/whatsapp,/webhooks/telegram': { noObject: 'raw-body parser of the provider webhooks (the routes below are checked)' },
  'USE /admin/queues': {
    checks: {
      // Bull Board shows every comune's jobs: it is for the metropolitan administrator only, and
      // the role is refused (403) before anything of the board, job ids included, is looked at.
      mount: async (c) => {
        const paths = ['/admin/queues', '/admin/queues/api/queues', `/admin/queues/api/queues/routing/${c.f.ticket.id}`];
        for (const who of [...MODUGNO, 'bariMgr'] as Who[]) {
          for (const p of paths) {
            const res = await c.t.http.get(p).set(auth(c, who));
            expect({ who, p, status: res.status }).toEqual({ who, p, status: 403 });
          }
        }
        expect((await c.t.http.get('/admin/queues/api/queues').set(auth(c, 'admin'))).status).toBe(200);
      },
    },
  },

  // ── tickets ──────────────────────────────────────────────────────────────────────────────
  'GET /api/tickets': {
    probes: {
      'query:groupId': { call: get((c) => `/api/tickets?groupId=${c.f.urpBari}`) },
      'query:assigneeId': { call: get((c) => `/api/tickets?assigneeId=${c.f.bariOperator}`) },
    },
    notObjects: { 'query:beforeId': "a page cursor: compared with the ids of the caller's own tickets only" },
  },
  'GET /api/tickets/:id': { probes: { 'path:id': { call: get((c) => `/api/tickets/${c.f.ticket.id}`) } } },
  'GET /api/tickets/:id/events': { probes: { 'path:id': { call: get((c) => `/api/tickets/${c.f.ticket.id}/events`) } } },
  'POST /api/tickets/:id/messages': {
    probes: {
      'path:id': {
        call: post(
          (c) => `/api/tickets/${c.f.ticket.id}/messages`,
          () => ({ text: 'intrusione', internal: true }),
        ),
      },
    },
  },
  'PATCH /api/tickets/:id': { probes: { 'path:id': { call: patch((c) => `/api/tickets/${c.f.ticket.id}`, { priority: 'high' }) } } },
  'POST /api/tickets/:id/accept': { probes: { 'path:id': { call: post((c) => `/api/tickets/${c.f.ticket.id}/accept`) } } },
  'POST /api/tickets/:id/decline': { probes: { 'path:id': { call: post((c) => `/api/tickets/${c.f.ticket.id}/decline`) } } },
  'POST /api/tickets/:id/transfer': {
    probes: {
      'path:id': {
        call: post(
          (c) => `/api/tickets/${c.f.ticket.id}/transfer`,
          (c, who) => ({ groupId: who.startsWith('mod') ? c.f.urpModugno : c.f.urpBari }),
        ),
      },
      // Modugno's own ticket, sent to Bari's group or operator. By a supervisor or manager: a plain
      // operator who is not the assignee is refused (403) on Modugno's own ticket before the body is read.
      'body:groupId': {
        as: ['modSup', 'modMgr'],
        call: (c, who) =>
          c.t.http
            .post(`/api/tickets/${who.startsWith('mod') ? c.f.modTicket.id : c.f.ticket.id}/transfer`)
            .set(auth(c, who))
            .send({ groupId: c.f.urpBari }),
      },
      'body:operatorId': {
        as: ['modSup', 'modMgr'],
        call: (c, who) =>
          c.t.http
            .post(`/api/tickets/${who.startsWith('mod') ? c.f.modTicket.id : c.f.ticket.id}/transfer`)
            .set(auth(c, who))
            .send({ operatorId: c.f.bariOperator }),
      },
    },
  },
  'GET /api/attachments/:id': { probes: { 'path:id': { call: get((c) => `/api/attachments/${c.f.attachment}`) } } },
  // Operators' side of public reports (src/portal/reports/): merge a duplicate, publish a photo.
  'POST /api/tickets/:id/merge': {
    probes: {
      // Bari's own control merges its ticket into another of its tickets: refused (a request is not a report), not 404.
      'path:id': {
        call: post(
          (c) => `/api/tickets/${c.f.ticket.id}/merge`,
          (c) => ({ into: c.f.web.id }),
        ),
      },
    },
    checks: {
      // Modugno's own report merged into Bari's: the target does not exist for Modugno.
      'body:into': async (c) => {
        const res = await c.t.http.post(`/api/tickets/${c.f.modTicket.id}/merge`).set(auth(c, 'modSup')).send({ into: c.f.ticket.id });
        expect(res.status).toBe(404);
        const [m] = await c.t.ds.query(`SELECT status FROM tickets WHERE id = $1`, [c.f.modTicket.id]);
        expect(m.status).not.toBe('closed');
      },
    },
  },
  'PATCH /api/tickets/:id/attachments/:aid': {
    probes: {
      'path:id': { call: patch((c) => `/api/tickets/${c.f.ticket.id}/attachments/${c.f.attachment}`, { public: false }) },
      // Bari's attachment through Modugno's own ticket.
      'path:aid': {
        call: (c, who) =>
          c.t.http
            .patch(`/api/tickets/${who.startsWith('mod') ? c.f.modTicket.id : c.f.ticket.id}/attachments/${c.f.attachment}`)
            .set(auth(c, who))
            .send({ public: false }),
      },
    },
  },
  'GET /api/console/tickets/:id/citizen': { probes: { 'path:id': { call: get((c) => `/api/console/tickets/${c.f.ticket.id}/citizen`) } } },
  'GET /api/analytics/tickets/:id/sla': { probes: { 'path:id': { call: get((c) => `/api/analytics/tickets/${c.f.ticket.id}/sla`) } } },
  'POST /api/console/tickets': {
    probes: {
      'body:comuneId': {
        call: post(
          () => '/api/console/tickets',
          (c) => ({
            channel: 'phone',
            citizen: { name: 'Matrice' },
            text: 'Richiesta al telefono',
            privacyConsent: true,
            comuneId: c.f.bari,
          }),
        ),
      },
    },
  },

  // ── console ──────────────────────────────────────────────────────────────────────────────
  'GET /api/console/map': { noObject: 'the tile server setting' },
  'GET /api/console/comuni/boundaries': { noObject: "boundaries of the caller's comuni only" },
  'GET /api/console/comuni/:id/boundary': { probes: { 'path:id': { call: get((c) => `/api/console/comuni/${c.f.bari}/boundary`) } } },
  'GET /api/console/canned-responses': {
    probes: { 'query:groupId': { call: get((c) => `/api/console/canned-responses?groupId=${c.f.urpBari}`) } },
  },
  'POST /api/console/canned-responses': {
    probes: {
      'body:groupId': {
        call: post(
          () => '/api/console/canned-responses',
          (c, who) => ({ groupId: c.f.urpBari, shortcut: `matrix-${who.toLowerCase()}`, title: 'Intruso', body: 'Intruso' }),
        ),
      },
    },
  },
  'PATCH /api/console/canned-responses/:id': {
    probes: { 'path:id': { call: patch((c) => `/api/console/canned-responses/${c.f.canned.patch}`, { title: 'Cambiato' }) } },
  },
  'DELETE /api/console/canned-responses/:id': {
    probes: { 'path:id': { call: del((c) => `/api/console/canned-responses/${c.f.canned.remove}`) } },
  },

  // ── channel accounts ─────────────────────────────────────────────────────────────────────
  'GET /api/channel-accounts': { probes: { 'query:comuneId': { call: get((c) => `/api/channel-accounts?comuneId=${c.f.bari}`) } } },
  'POST /api/channel-accounts': {
    probes: {
      'body:comuneId': {
        call: post(
          () => '/api/channel-accounts',
          (c, who) => ({
            comuneId: c.f.bari,
            channel: 'email',
            label: 'Casella',
            config: { address: `matrix-${who.toLowerCase()}@bari.demo` },
          }),
        ),
      },
    },
  },
  'GET /api/channel-accounts/:id': { probes: { 'path:id': { call: get((c) => `/api/channel-accounts/${c.f.account.whatsapp}`) } } },
  'PATCH /api/channel-accounts/:id': {
    probes: { 'path:id': { call: patch((c) => `/api/channel-accounts/${c.f.account.email}`, { label: 'Cambiato' }) } },
  },
  'DELETE /api/channel-accounts/:id': { probes: { 'path:id': { call: del((c) => `/api/channel-accounts/${c.f.account.email}`) } } },
  'GET /api/channel-accounts/:id/pairing': {
    probes: { 'path:id': { call: get((c) => `/api/channel-accounts/${c.f.account.whatsappWeb}/pairing`) } },
  },

  // ── analytics ────────────────────────────────────────────────────────────────────────────
  ...Object.fromEntries(
    ['live', 'backlog'].map((r) => [
      `GET /api/analytics/${r}`,
      {
        probes: {
          'query:comuneId': { call: get((c) => `/api/analytics/${r}?comuneId=${c.f.bari}`) },
          'query:groupId': { call: get((c) => `/api/analytics/${r}?groupId=${c.f.urpBari}`) },
        },
      } satisfies Entry,
    ]),
  ),
  ...Object.fromEntries(
    ['response-times', 'volumes', 'volumes/by-hour', 'sla', 'csat', 'map', 'drilldown', 'open-data'].map((r) => {
      const q = r === 'drilldown' ? 'metric=created&' : '';
      return [
        `GET /api/analytics/${r}`,
        {
          probes: {
            'query:comuneId': { call: get((c) => `/api/analytics/${r}?${q}comuneId=${c.f.bari}`) },
            'query:groupId': { call: get((c) => `/api/analytics/${r}?${q}groupId=${c.f.urpBari}`) },
            'query:operatorId': { call: get((c) => `/api/analytics/${r}?${q}operatorId=${c.f.bariOperator}`) },
          },
        } satisfies Entry,
      ];
    }),
  ),
  'GET /api/analytics/comuni': { noObject: "the caller's own comuni" },
  'GET /api/analytics/calendars/:comuneId': { probes: { 'path:comuneId': { call: get((c) => `/api/analytics/calendars/${c.f.bari}`) } } },
  'PUT /api/analytics/calendars/:comuneId': {
    probes: { 'path:comuneId': { call: put((c) => `/api/analytics/calendars/${c.f.bari}`, { patronSaint: 'San Nicola' }) } },
  },
  'GET /api/analytics/sla-policies': {
    probes: {
      'query:comuneId': { call: get((c) => `/api/analytics/sla-policies?comuneId=${c.f.bari}`) },
      'query:groupId': { call: get((c) => `/api/analytics/sla-policies?groupId=${c.f.urpBari}`) },
    },
  },
  'POST /api/analytics/sla-policies': {
    // The body is read by the service (no DTO): its object fields are listed by hand.
    probes: {
      'body:comuneId': {
        call: post(
          () => '/api/analytics/sla-policies',
          (c, who) => ({ comuneId: c.f.bari, name: 'Intrusa', ticketType: `matrix-${who.toLowerCase()}` }),
        ),
      },
      'body:groupId': {
        call: post(
          () => '/api/analytics/sla-policies',
          (c, who) => ({ groupId: c.f.urpBari, name: 'Intrusa', ticketType: `matrix-g-${who.toLowerCase()}` }),
        ),
      },
    },
  },
  'PUT /api/analytics/sla-policies/:id': {
    probes: { 'path:id': { call: put((c) => `/api/analytics/sla-policies/${c.f.policy.put}`, { name: 'Cambiata' }) } },
  },
  'DELETE /api/analytics/sla-policies/:id': {
    probes: { 'path:id': { call: del((c) => `/api/analytics/sla-policies/${c.f.policy.remove}`) } },
  },

  // ── citizen side and providers: no operator principal ────────────────────────────────────
  'GET /api/app/v1/tickets/:reference': {
    // Authenticated by the comune's app key: Modugno's key, Bari's ticket and Bari's app user.
    probes: Object.fromEntries(
      ['path:reference', 'query:citizenId'].map((p) => [
        p,
        {
          as: ['modMgr'],
          control: 'bariMgr',
          call: (c: Ctx, who: Who) =>
            c.t.http.get(`/api/app/v1/tickets/${c.f.ticket.reference}?citizenId=matrix`).set('X-Api-Key', `demo-app-key-${slugOf(who)}`),
        } satisfies Probe,
      ]),
    ),
    checks: {
      // One person known to both comuni: Modugno's app user whose e-mail (adopted from a reply to
      // Modugno's notice) later wrote to Bari's mailbox. Modugno's key still reads Modugno's tickets only.
      'path:reference, citizen shared by both comuni': async (c) => {
        const { t } = c;
        const first = await t.http
          .post('/api/app/v1/messages')
          .set('X-Api-Key', 'demo-app-key-modugno')
          .send({ messageId: 'shared-1', citizen: { id: 'shared' }, text: 'Prima richiesta' });
        const modTicket = await ticketByReference(t.ds, first.body.ticketReference);
        await t.ds.query(
          `INSERT INTO messages (ticket_id, comune_id, direction, author_type, internal, text, channel, delivery_status, recipient_address)
           VALUES ($1, $2, 'outbound', 'system', false, 'Aggiornamento', 'email', 'sent', $3)`,
          [modTicket.id, c.f.modugno, 'shared@example.it'],
        );
        expect(
          await runInScope(TenantScope.ofComune(c.f.modugno), () =>
            adoptNoticeRecipient(t.app.get(DataSource), {
              channel: 'email',
              address: 'shared@example.it',
              displayName: null,
              comuneId: c.f.modugno,
            }),
          ),
        ).toBe(first.body.ticketReference);
        const toBari = await t.app.get(IngestService).ingest({
          channel: 'email',
          comuneId: c.f.bari,
          externalId: '<shared-2@example.it>',
          sender: { address: 'shared@example.it' },
          text: 'Richiesta a Bari',
        });
        expect((await ticketByReference(t.ds, toBari.ticketReference)).citizen_id).toBe(modTicket.citizen_id);
        const read = (slug: string, ref: string) =>
          t.http.get(`/api/app/v1/tickets/${ref}?citizenId=shared`).set('X-Api-Key', `demo-app-key-${slug}`);
        expect((await read('modugno', toBari.ticketReference)).status).toBe(404);
        expect((await read('modugno', first.body.ticketReference)).status).toBe(200);
      },
    },
  },
  'POST /api/app/v1/messages': {
    notObjects: { 'body:messageId': "the app's own idempotency key, scoped to its API key's account" },
    checks: {
      // "Continue this ticket": a reference that is not one of this citizen's open tickets of the
      // key's comune (unknown, closed, or another comune's) opens a new ticket of the key's comune,
      // exactly as an unknown one does. Decided exception to "404": a citizen's message is never
      // refused for a stale reference, and the answer tells nothing about Bari's ticket.
      'body:ticketReference': async (c) => {
        const before = await c.t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [c.f.ticket.id]);
        const res = await c.t.http
          .post('/api/app/v1/messages')
          .set('X-Api-Key', 'demo-app-key-modugno')
          .send({ messageId: 'matrix-ref', citizen: { id: 'matrix' }, text: 'Seguito', ticketReference: c.f.ticket.reference });
        expect(res.status).toBe(201);
        expect(res.body.ticketReference).not.toBe(c.f.ticket.reference);
        expect(res.body.ticketReference).toMatch(/^[A-Z]+-\d{4}-\d+$/);
        const [t] = await c.t.ds.query(`SELECT comune_id FROM tickets WHERE reference = $1`, [res.body.ticketReference]);
        expect(t.comune_id).toBe(c.f.modugno);
        expect(await c.t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [c.f.ticket.id])).toEqual(before);
      },
    },
  },
  // The portal's case page: the credential is the reference with the e-mail address (or the access
  // key) of the citizen who sent it; any other pair, another channel's case, another comune's
  // reference: the same 404, throttled per address.
  'POST /api/portal/v1/cases/lookup': {
    checks: {
      'body:reference': async (c) => {
        const sent = await c.t.http
          .post('/api/portal/v1/comuni/bari/requests')
          .send({ submissionId: 'matrix-portal-1', description: 'Orari anagrafe', email: 'matrice@example.it', privacyConsent: true });
        expect(sent.status).toBe(201);
        const look = (body: object) => c.t.http.post('/api/portal/v1/cases/lookup').send(body);
        expect((await look({ reference: sent.body.reference, email: 'matrice@example.it' })).status).toBe(200);
        const wrong = await look({ reference: sent.body.reference, email: 'altro@example.it' });
        expect(wrong.status).toBe(404);
        // The app channel's Bari ticket is not a portal case, whatever the address.
        expect((await look({ reference: c.f.ticket.reference, email: 'matrice@example.it' })).body).toEqual(wrong.body);
        for (const path of ['reply', 'rating']) {
          const r = await c.t.http
            .post(`/api/portal/v1/cases/${path}`)
            .send({ reference: sent.body.reference, email: 'altro@example.it', text: 'Intruso', rating: 1 });
          expect({ path, status: r.status }).toEqual({ path, status: 404 });
        }
      },
    },
  },
  'POST /api/portal/v1/cases/reply': {
    checks: {
      'body:reference': async () => {
        /* with lookup above: one credential check covers the three */
      },
    },
  },
  'POST /api/portal/v1/cases/rating': {
    checks: {
      'body:reference': async () => {
        /* with lookup above */
      },
    },
  },
  'POST /api/portal/v1/reports/:reference/follow': {
    notObjects: {
      'path:reference':
        "a report's public reference (the public map shows every report): anyone may follow it; a request answers 404 like an unknown one",
    },
  },
  'GET /api/portal/v1/attachments/:id': {
    checks: {
      // Only a photo an operator published, or a signed link from the citizen's own case page.
      'path:id': async (c) => {
        expect((await c.t.http.get(`/api/portal/v1/attachments/${c.f.attachment}`)).status).toBe(404);
        expect((await c.t.http.get(`/api/portal/v1/attachments/${c.f.attachment}?exp=9999999999&sig=forged`)).status).toBe(404);
      },
    },
  },
  'POST /api/webchat/:slug/leave-message': {
    notObjects: { 'body:clientMessageId': "the citizen's own idempotency key, scoped to their session" },
    checks: {
      // The session token is the citizen's credential for one comune's chat: Modugno's session on
      // Bari's chat is an invalid credential (400 naming it), and nothing is stored at Bari.
      'path:slug': async (c) => {
        const token = (c.sockets.modCitizen as Socket & { matrixToken?: string }).matrixToken!;
        const before = await c.t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE comune_id = $1`, [c.f.bari]);
        const res = await c.t.http
          .post('/api/webchat/bari/leave-message')
          .send({ sessionToken: token, text: 'Intruso', contact: 'intruso@example.it', privacyConsent: true });
        expect(res.status).toBe(400);
        expect(res.body.fields[0].field).toBe('sessionToken');
        const photo = await c.t.http
          .post('/api/webchat/bari/photos')
          .set('X-Webchat-Session', token)
          .set('Content-Type', 'image/png')
          .send(PNG);
        expect(photo.status).toBe(400);
        expect(photo.body.fields[0].field).toBe('X-Webchat-Session');
        expect(await c.t.ds.query(`SELECT count(*)::int AS n FROM tickets WHERE comune_id = $1`, [c.f.bari])).toEqual(before);
      },
    },
  },
  'POST /api/webchat/:slug/photos': {
    notObjects: { 'query:clientMessageId': "the citizen's own idempotency key, scoped to their session" },
    checks: {
      'path:slug': async () => {
        /* with leave-message above: one session check covers both */
      },
    },
  },
  // Provider webhooks: the caller is WhatsApp or Telegram, authenticated by the account's own
  // secret; no comune principal exists. Another account's secret is refused and stores nothing.
  'GET /webhooks/whatsapp/:accountId': {
    checks: {
      'path:accountId': async (c) => {
        const q = (token: string) =>
          `/webhooks/whatsapp/${c.f.account.whatsapp}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=abc`;
        expect((await c.t.http.get(q('modugno-verify-token'))).status).toBe(403);
        expect((await c.t.http.get(q('demo-whatsapp-verify-token'))).status).toBe(200);
      },
    },
  },
  'POST /webhooks/whatsapp/:accountId': {
    checks: {
      'path:accountId': async (c) => {
        const res = await c.t.http
          .post(`/webhooks/whatsapp/${c.f.account.whatsapp}`)
          .set('X-Hub-Signature-256', `sha256=${'0'.repeat(64)}`)
          .set('Content-Type', 'application/json')
          .send('{"object":"whatsapp_business_account","entry":[]}');
        expect(res.status).toBe(403);
      },
    },
  },
  'POST /webhooks/telegram/:accountId': {
    checks: {
      'path:accountId': async (c) => {
        const res = await c.t.http
          .post(`/webhooks/telegram/${c.f.account.telegram}`)
          .set('X-Telegram-Bot-Api-Secret-Token', 'modugno-secret')
          .set('Content-Type', 'application/json')
          .send('{"update_id":1}');
        expect(res.status).toBe(403);
      },
    },
  },

  // ── citizens' portal: citizen principals, no comune's object ─────────────────────────────
  'GET /api/portal/v1/session': { noObject: "the caller's own citizen session (or none)" },
  'GET /api/portal/v1/auth/oidc/start': { noObject: 'starts a SPID/CIE login at the gateway' },
  'GET /api/portal/v1/auth/oidc/callback': { noObject: "the gateway's answer to this browser's own login" },
  'POST /api/portal/v1/auth/email/start': { noObject: 'sends a login code to the address given' },
  'POST /api/portal/v1/auth/email/verify': { noObject: "the caller's own login code" },
  'POST /api/portal/v1/auth/logout': { noObject: "ends the caller's own citizen session" },
  'GET /api/portal/v1/me/links': { noObject: "the citizen's own linked channels (row-level security of the citizen scope)" },
  'POST /api/portal/v1/me/links': { noObject: "a link code for the citizen's own account" },
  'DELETE /api/portal/v1/me/links/:id': {
    notObjects: {
      'path:id': "a citizen's own channel link, no comune's object: another citizen's answers 404 (test/portal/channel-links.spec.ts)",
    },
    checks: {
      // Staff principals are no citizens: an operator's token reaches no portal account's rows.
      'staff token': async (c) => {
        for (const who of ['modSup', 'bariSup', 'admin'] as Who[]) {
          const res = await c.t.http.delete('/api/portal/v1/me/links/1').set(auth(c, who));
          expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 401, code: 'login_required' });
        }
      },
    },
  },

  // "Le mie richieste" (src/portal/mine): the citizen's own cases in every comune, read through the
  // SECURITY DEFINER functions portal_my_cases()/portal_my_case() that take the account from the
  // citizen scope. Another citizen's reference answers 404 (test/portal/my-cases.spec.ts).
  'GET /api/portal/v1/me/cases': { noObject: "the citizen's own cases (the account of the citizen scope)" },
  'GET /api/portal/v1/me/cases/:reference': {
    checks: {
      // A staff token is no citizen session: even Bari's own staff get 401 on Bari's case.
      'path:reference': async (c) => {
        for (const who of ['modSup', 'bariSup', 'admin'] as Who[]) {
          const res = await c.t.http.get(`/api/portal/v1/me/cases/${c.f.ticket.reference}`).set(auth(c, who));
          expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 401, code: 'login_required' });
        }
      },
    },
  },
  'POST /api/portal/v1/me/cases/:reference/messages': {
    checks: {
      'path:reference': async (c) => {
        const before = await c.t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [c.f.ticket.id]);
        for (const who of ['modSup', 'bariSup', 'admin'] as Who[]) {
          const res = await c.t.http
            .post(`/api/portal/v1/me/cases/${c.f.ticket.reference}/messages`)
            .set(auth(c, who))
            .send({ text: 'intrusione' });
          expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 401, code: 'login_required' });
        }
        expect(await c.t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [c.f.ticket.id])).toEqual(before);
      },
    },
  },

  // The personal area's settings (src/portal/settings): the account's own preferences (row-level
  // security of the citizen scope) and consents, read and withdrawn through the SECURITY DEFINER
  // functions portal_my_consents()/portal_withdraw_consent() that take the account from the citizen
  // scope. Another citizen's consent answers 404 (test/portal/settings.spec.ts).
  'GET /api/portal/v1/me/notifications': { noObject: "the citizen's own notification preferences" },
  'PUT /api/portal/v1/me/notifications': { noObject: "the citizen's own notification preferences" },
  'GET /api/portal/v1/me/consents': { noObject: "the consents of the citizen's own linked identities" },
  'GET /api/portal/v1/me/links/destinations': { noObject: "the comuni's public WhatsApp numbers, Telegram bots and URP mailboxes" },
  'POST /api/portal/v1/me/consents/:id/withdraw': {
    checks: {
      // A staff token is no citizen session: even Bari's own staff cannot withdraw a consent of Bari's.
      'path:id': async (c) => {
        const [k] = await c.t.ds.query(`SELECT id::text AS id FROM citizen_consents WHERE granted ORDER BY id LIMIT 1`);
        const count = () => c.t.ds.query(`SELECT count(*)::int AS n FROM citizen_consents`);
        const before = await count();
        for (const who of ['modSup', 'bariSup', 'admin'] as Who[]) {
          const res = await c.t.http.post(`/api/portal/v1/me/consents/${k?.id ?? 1}/withdraw`).set(auth(c, who));
          expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 401, code: 'login_required' });
        }
        expect(await count()).toEqual(before);
      },
    },
  },
  // Data-subject rights (src/portal/privacy): the citizen's own data and erasure (test/portal/privacy.spec.ts),
  // a comune's retention and privacy log for its manager.
  'GET /api/portal/v1/me/data': { noObject: "the citizen's own data (portal_my_data() reads the account of the citizen scope)" },
  'POST /api/portal/v1/me/erasure': { noObject: "erasure of the citizen's own account" },
  'GET /api/console/comuni/:id/privacy': { probes: { 'path:id': { call: get((c) => `/api/console/comuni/${c.f.bari}/privacy`) } } },
  'PUT /api/console/comuni/:id/privacy/retention': {
    probes: { 'path:id': { call: put((c) => `/api/console/comuni/${c.f.bari}/privacy/retention`, { retentionMonths: 60 }) } },
  },
  'GET /area-personale/privacy': { noObject: STATIC },

  // The participation kernel (src/participation/kernel): published spaces, items and comments are
  // public in every comune (a draft space, a hidden or pending item answer 404: test/participation/kernel.spec.ts);
  // acting needs a citizen's session, which no staff token is.
  'GET /api/portal/v1/comuni/:slug/spaces': { notObjects: { 'path:slug': PUBLIC_SLUG } },
  'GET /api/portal/v1/comuni/:slug/spaces/:space': {
    notObjects: {
      'path:slug': PUBLIC_SLUG,
      'path:space': `${PUBLIC_PARTICIPATION}; looked up within the comune of path:slug only, so another comune's slug answers 404`,
    },
  },
  'GET /api/portal/v1/participation/spaces/:id/items': { notObjects: { 'path:id': PUBLIC_PARTICIPATION } },
  'GET /api/portal/v1/participation/spaces/:id/similar': { notObjects: { 'path:id': PUBLIC_PARTICIPATION } },
  'GET /api/portal/v1/participation/items/:id': { notObjects: { 'path:id': PUBLIC_PARTICIPATION } },
  'GET /api/portal/v1/participation/items/:id/comments': { notObjects: { 'path:id': PUBLIC_PARTICIPATION } },
  'POST /api/portal/v1/participation/spaces/:id/items': {
    checks: { 'path:id': citizenOnly('post', '/api/portal/v1/participation/spaces/1/items') },
  },
  'POST /api/portal/v1/participation/items/:id/contributions': {
    checks: { 'path:id': citizenOnly('post', '/api/portal/v1/participation/items/1/contributions') },
  },
  'DELETE /api/portal/v1/participation/items/:id/contributions/:kind': {
    checks: { 'path:id': citizenOnly('delete', '/api/portal/v1/participation/items/1/contributions/support') },
    notObjects: { 'path:kind': "a contribution kind of the item's service (support, signature…), no object" },
  },
  'GET /api/portal/v1/participation/planning/items/:id/map': { notObjects: { 'path:id': PUBLIC_PARTICIPATION } },
  'PUT /api/console/participation/planning/items/:id/map': {
    checks: {
      // A hypothesis of Bari: Modugno's staff draw nothing on it (404, unchanged); Bari's can (positive control).
      'path:id': async (c) => {
        const [s] = await c.t.ds.query(
          `INSERT INTO participation_spaces (comune_id, service, slug, title_it, state) VALUES ($1, 'planning', 'matrice-pianificazione', 'Matrice', 'published')
           ON CONFLICT (comune_id, slug) DO UPDATE SET state = 'published' RETURNING id`,
          [c.f.bari],
        );
        const [i] = await c.t.ds.query(
          `INSERT INTO participation_items (comune_id, space_id, service, kind, title, stage) VALUES ($1, $2, 'planning', 'hypothesis', 'Ipotesi', 'consultation') RETURNING id`,
          [c.f.bari, s.id],
        );
        const body = { geometry: { type: 'Point', coordinates: [16.87, 41.12] } };
        const res = await c.t.http.put(`/api/console/participation/planning/items/${i.id}/map`).set(auth(c, 'modSup')).send(body);
        expect(res.status).toBe(404);
        const [after] = await c.t.ds.query(`SELECT location IS NULL AS empty FROM participation_items WHERE id = $1`, [i.id]);
        expect(after.empty).toBe(true);
        const own = await c.t.http.put(`/api/console/participation/planning/items/${i.id}/map`).set(auth(c, 'bariSup')).send(body);
        expect(own.status).toBe(200);
      },
    },
  },
  'POST /api/portal/v1/participation/flags': { noObject: "a citizen's own report of a public item or comment" },
  'POST /api/portal/v1/participation/follows': { noObject: "the citizen's own follows" },

  // ── socket events ────────────────────────────────────────────────────────────────────────
  'socket:/agent presence.set': { noObject: "the caller's own presence" },
  'socket:/agent typing': {
    checks: {
      // No answer either way (a passing signal); Bari's citizen must not see Modugno typing.
      'event:ticketId': async (c) => {
        const seen = collect(c.sockets.bariCitizen, 'typing');
        c.sockets.modSup.emit('typing', { ticketId: c.f.web.id, typing: true });
        await new Promise((r) => setTimeout(r, 400));
        expect(seen).toEqual([]);
        const control = nextEvent(c.sockets.bariCitizen, 'typing', (p: any) => p.typing === true, 5000);
        c.sockets.bariSup.emit('typing', { ticketId: c.f.web.id, typing: true });
        await control;
      },
    },
  },
  'socket:/agent ticket.read': {
    checks: {
      'event:ticketId': async (c) => {
        const heard = collect(c.sockets.bariCitizen, 'read');
        const ack = await c.sockets.modSup
          .timeout(5000)
          .emitWithAck('ticket.read', { ticketId: c.f.web.id, upToMessageId: c.f.web.citizenMessage });
        expect(ack).toEqual({ ok: false, error: `ticket ${c.f.web.id} not found` });
        const [m] = await c.t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [c.f.web.citizenMessage]);
        expect(m.delivery_status).toBe('received');
        await new Promise((r) => setTimeout(r, 200));
        expect(heard).toEqual([]);
        expect(
          await c.sockets.bariSup.timeout(5000).emitWithAck('ticket.read', { ticketId: c.f.web.id, upToMessageId: c.f.web.citizenMessage }),
        ).toEqual({ ok: true });
      },
      'event:upToMessageId': async () => {
        /* only ever applied to the ticket named, checked above */
      },
    },
  },
  'socket:/webchat message': { noObject: "the comune is the session's own; a citizen names no object" },
  'socket:/webchat typing': { noObject: "the session's own latest ticket" },
  'socket:/webchat read': {
    checks: {
      // A Modugno citizen naming Bari's reply: nothing happens (no answer either way).
      'event:upToMessageId': async (c) => {
        const status = async () =>
          (await c.t.ds.query(`SELECT delivery_status FROM messages WHERE id = $1`, [c.f.web.reply]))[0].delivery_status;
        const before = await status();
        expect(['sent', 'delivered']).toContain(before);
        c.sockets.modCitizen.emit('read', { upToMessageId: c.f.web.reply });
        await new Promise((r) => setTimeout(r, 400));
        expect(await status()).toBe(before);
        c.sockets.bariCitizen.emit('read', { upToMessageId: c.f.web.reply });
        await eventually(async () => (await status()) === 'read', 5000, "Bari's citizen read their reply");
      },
    },
  },
  'socket:/webchat csat': {
    checks: {
      // Rating Bari's ticket from a Modugno session: the not-found answer, and nothing recorded.
      // (No cheap positive control: it needs a resolved ticket whose survey went out.)
      'event:ticketReference': async (c) => {
        const ack = await c.sockets.modCitizen.timeout(5000).emitWithAck('csat', { ticketReference: c.f.web.reference, rating: 1 });
        expect(ack).toEqual({ ok: false, error: expect.objectContaining({ status: 404, field: 'ticketReference' }) });
        expect(await c.t.ds.query(`SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND type = 'csat.received'`, [c.f.web.id])).toEqual([]);
      },
    },
  },
};

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Parameters of socket events that may name an object (the handlers take untyped bodies). */
const SOCKET_PARAMS: Record<string, string[]> = {
  'socket:/agent typing': ['event:ticketId'],
  'socket:/agent ticket.read': ['event:ticketId', 'event:upToMessageId'],
  'socket:/webchat read': ['event:upToMessageId'],
  'socket:/webchat csat': ['event:ticketReference'],
};

describe("cross-comune matrix: every route, another comune's object answers 404", () => {
  const c = {} as Ctx;
  let routes: HttpRoute[];
  let events: SocketEvent[];
  const opened: Socket[] = [];

  beforeAll(async () => {
    c.t = await startApp();
    const t = c.t;
    const accounts: Record<Who, string> = {
      modOp: 'operatore@modugno.demo',
      modSup: 'supervisore@modugno.demo',
      modMgr: 'manager@modugno.demo',
      bariOp: 'operatore@bari.demo',
      bariSup: 'supervisore@bari.demo',
      bariMgr: 'manager@bari.demo',
      admin: 'admin@metro.demo',
    };
    const [tokens, bari, modugno, urpBari, urpModugno] = await Promise.all([
      Promise.all(Object.entries(accounts).map(async ([who, email]) => [who, await login(t, email)] as const)).then(
        (e) => Object.fromEntries(e) as Record<Who, string>,
      ),
      comuneId(t.ds, 'bari'),
      comuneId(t.ds, 'modugno'),
      groupId(t.ds, 'bari', 'urp'),
      groupId(t.ds, 'modugno', 'urp'),
    ]);
    c.tok = tokens;
    const app = (slug: string, body: object) => t.http.post('/api/app/v1/messages').set('X-Api-Key', `demo-app-key-${slug}`).send(body);
    const [bariApp, modApp, bariCitizen, modCitizen, modSup, bariSup] = await Promise.all([
      app('bari', {
        messageId: 'matrix-1',
        citizen: { id: 'matrix' },
        text: 'Informazioni orari',
        photos: [{ data: PNG.toString('base64') }],
      }),
      app('modugno', { messageId: 'matrix-2', citizen: { id: 'matrix-m' }, text: 'Informazioni tributi' }),
      connectCitizen(t, 'bari'),
      connectCitizen(t, 'modugno'),
      connectAgent(t, tokens.modSup, 'away'),
      connectAgent(t, tokens.bariSup, 'away'),
    ]);
    opened.push(bariCitizen.socket, modCitizen.socket, modSup, bariSup);
    (modCitizen.socket as Socket & { matrixToken?: string }).matrixToken = modCitizen.sessionToken;
    c.sockets = { modSup, bariSup, bariCitizen: bariCitizen.socket, modCitizen: modCitizen.socket };
    const said = await citizenSays(bariCitizen.socket, 'Buongiorno, una domanda', 'matrix-web');
    const ids = async (ref: string) => String((await t.ds.query(`SELECT id FROM tickets WHERE reference = $1`, [ref]))[0].id);
    const ticket = { reference: bariApp.body.ticketReference as string, id: await ids(bariApp.body.ticketReference) };
    const web = {
      reference: said.ticketReference as string,
      id: await ids(said.ticketReference),
      citizenMessage: String(said.messageId),
      reply: '',
    };
    const [[a], [op], accountRows] = await Promise.all([
      t.ds.query(`SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`, [ticket.id]),
      t.ds.query(`SELECT id FROM operators WHERE email = 'operatore@bari.demo'`),
      t.ds.query(`SELECT id, channel FROM channel_accounts WHERE comune_id = $1 AND channel IN ('whatsapp', 'telegram', 'whatsapp-web')`, [
        bari,
      ]),
    ]);
    const account = (ch: string) => accountRows.find((r: any) => r.channel === ch).id as number;
    const sup = { Authorization: `Bearer ${tokens.bariSup}` };
    const mgr = { Authorization: `Bearer ${tokens.bariMgr}` };
    const entry = (titleIt: string) => ({ titleIt, area: 'taxes', url: 'https://www.comune.bari.it/servizi/matrice' });
    const [reply, c1, c2, p1, p2, em, k1, k2] = await Promise.all([
      t.http.post(`/api/tickets/${web.id}/messages`).set(sup).send({ text: 'Buongiorno, mi dica' }),
      t.http.post('/api/console/canned-responses').set(sup).send({ groupId: urpBari, shortcut: 'matrix-a', title: 'A', body: 'A' }),
      t.http.post('/api/console/canned-responses').set(sup).send({ groupId: urpBari, shortcut: 'matrix-b', title: 'B', body: 'B' }),
      t.http.post('/api/analytics/sla-policies').set(mgr).send({ name: 'Matrice A', ticketType: 'matrix-a', firstResponseSecs: 3600 }),
      t.http.post('/api/analytics/sla-policies').set(mgr).send({ name: 'Matrice B', ticketType: 'matrix-b', firstResponseSecs: 3600 }),
      t.http
        .post('/api/channel-accounts')
        .set(mgr)
        .send({ channel: 'email', label: 'Matrice', config: { address: 'matrice@bari.demo' } }),
      t.http.post('/api/console/catalogue').set(mgr).send(entry('Matrice A')),
      t.http.post('/api/console/catalogue').set(mgr).send(entry('Matrice B')),
    ]);
    for (const r of [reply, c1, c2, p1, p2, em, k1, k2])
      if (r.status !== 201) throw new Error(`fixture: ${r.status} ${JSON.stringify(r.body)}`);
    web.reply = String(reply.body.id);
    c.f = {
      bari,
      modugno,
      ticket,
      attachment: String(a.id),
      web,
      urpBari,
      urpModugno,
      bariOperator: op.id,
      modTicket: { reference: modApp.body.ticketReference, id: await ids(modApp.body.ticketReference) },
      canned: { patch: c1.body.id, remove: c2.body.id },
      policy: { put: p1.body.id, remove: p2.body.id },
      catalogue: { patch: k1.body.id, remove: k2.body.id },
      account: { whatsapp: account('whatsapp'), telegram: account('telegram'), whatsappWeb: account('whatsapp-web'), email: em.body.id },
    };
    // Routing and delivery settle first, so "changed nothing" below compares still rows.
    await eventually(
      async () => {
        const [r] = await t.ds.query(
          `SELECT (SELECT count(*)::int FROM tickets WHERE comune_id IN ($1, $2) AND queue_state = 'unrouted') AS unrouted,
                (SELECT delivery_status FROM messages WHERE id = $3) AS reply`,
          [bari, modugno, web.reply],
        );
        return r.unrouted === 0 && ['sent', 'delivered'].includes(r.reply);
      },
      10_000,
      'fixtures routed and the reply sent',
    );
    routes = httpRoutes(t.app);
    events = socketEvents(t.app);
  });
  afterAll(async () => {
    opened.forEach((s) => s.disconnect());
    await c.t?.close();
  });

  it('has one entry per registered route and socket event, and every id-like parameter is accounted for', async () => {
    const registered = [...routes.map((r) => r.key), ...events.map((e) => e.key)];
    // Sanity: the inventory really reads the running application.
    expect(routes.length).toBeGreaterThan(60);
    expect(registered).toEqual(
      expect.arrayContaining(['GET /api/tickets/:id', 'USE /admin/queues', 'socket:/agent ticket.read', 'socket:/webchat csat']),
    );
    const missing = registered.filter((k) => !(k in MATRIX));
    const gone = Object.keys(MATRIX).filter((k) => !registered.includes(k));
    expect({ 'registered routes missing from the cross-comune matrix': missing }).toEqual({
      'registered routes missing from the cross-comune matrix': [],
    });
    expect({ 'matrix entries naming no registered route': gone }).toEqual({ 'matrix entries naming no registered route': [] });

    const problems: string[] = [];
    const params = new Map<string, string[]>([...routes.map((r) => [r.key, r.objectParams] as const), ...Object.entries(SOCKET_PARAMS)]);
    for (const [key, e] of Object.entries(MATRIX)) {
      const covered = new Set([...Object.keys(e.probes ?? {}), ...Object.keys(e.checks ?? {}), ...Object.keys(e.notObjects ?? {})]);
      for (const p of params.get(key) ?? [])
        if (!covered.has(p)) problems.push(`${key}: parameter ${p} may name an object but has no probe, check or reason`);
      if (!e.noObject && covered.size === 0) problems.push(`${key}: says neither how it is isolated nor why it names no object`);
      const ids = [...(params.get(key) ?? [])].filter((p) => !(e.notObjects ?? {})[p]);
      if (e.noObject && ids.length) problems.push(`${key}: marked noObject but takes ${ids.join(', ')}`);
    }
    expect(problems).toEqual([]);

    // The gateways' metadata agrees with what the live server binds on a connected socket.
    const bound = (ns: { sockets: Map<string, { eventNames(): Array<string | symbol> }> }) =>
      [...new Set([...ns.sockets.values()].flatMap((s) => s.eventNames().map(String)))]
        .filter((n) => !['error', 'disconnect', 'disconnecting'].includes(n))
        .sort();
    expect(bound(c.t.app.get(AgentGateway).server)).toEqual(
      events
        .filter((e) => e.namespace === '/agent')
        .map((e) => e.event)
        .sort(),
    );
    expect(bound(c.t.app.get(WebchatGateway).server)).toEqual(
      events
        .filter((e) => e.namespace === '/webchat')
        .map((e) => e.event)
        .sort(),
    );
  });

  /** Every probe of every route, with who sends it and what must come back. */
  function plan() {
    const out: Array<{ route: HttpRoute; param: string; probe: Probe; attackers: Who[]; denied: Who[]; control: Who | null }> = [];
    for (const route of routes) {
      for (const [param, probe] of Object.entries(MATRIX[route.key]?.probes ?? {})) {
        const admits = (who: Who) => !route.roles || route.roles.includes(ROLE[who]);
        const attackers = probe.as ?? MODUGNO.filter(admits);
        const denied = probe.as ? [] : MODUGNO.filter((w) => !admits(w));
        const control =
          typeof probe.control === 'object' ? null : (probe.control ?? (['bariSup', 'bariMgr'] as Who[]).find(admits) ?? null);
        out.push({ route, param, probe, attackers, denied, control });
      }
    }
    return out;
  }

  async function bariState() {
    const [s] = await c.t.ds.query(
      `SELECT (SELECT json_agg(x ORDER BY x.id) FROM (SELECT id, status, priority, category, type, group_id, assignee_id, offered_to_id, queue_state
                                                     FROM tickets WHERE comune_id = $1) x) AS tickets,
              (SELECT count(*)::int FROM messages WHERE comune_id = $1) AS messages,
              (SELECT count(*)::int FROM ticket_events WHERE comune_id = $1) AS events,
              (SELECT json_agg(x ORDER BY x.id) FROM canned_responses x WHERE comune_id = $1) AS canned,
              (SELECT json_agg(x ORDER BY x.id) FROM sla_policies x WHERE comune_id = $1) AS policies,
              (SELECT json_agg(x ORDER BY x.id) FROM catalogue_entries x WHERE comune_id = $1) AS catalogue,
              (SELECT json_agg(json_build_object('id', id, 'label', label, 'config', config, 'secrets', secrets, 'enabled', enabled) ORDER BY id)
                 FROM channel_accounts WHERE comune_id = $1) AS accounts,
              (SELECT row_to_json(x) FROM comune_calendars x WHERE comune_id = $1) AS calendar`,
      [c.f.bari],
    );
    return s;
  }

  it("answers 404 to Modugno's staff on every route that takes a Bari object, and changes nothing", async () => {
    const before = await bariState();
    const failures: string[] = [];
    await Promise.all(
      plan().flatMap(({ route, param, probe, attackers, denied }) => [
        ...attackers.map(async (who) => {
          const res = await probe.call(c, who);
          if (res.status !== 404)
            failures.push(`${route.key} [${param}] as ${who}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)} (expected 404)`);
        }),
        // A role the route does not admit is refused by the guard, before any object is looked up.
        ...denied.map(async (who) => {
          const res = await probe.call(c, who);
          if (res.status !== 403 || !/needs one of the roles/.test(res.body.message))
            failures.push(`${route.key} [${param}] as ${who}: ${res.status} (expected the role guard's 403)`);
        }),
      ]),
    );
    expect(failures.sort()).toEqual([]);
    expect(await bariState()).toEqual(before);
  });

  it("lets Bari's own staff reach the same objects (positive controls: not 404)", async () => {
    const failures: string[] = [];
    const all = plan();
    // Sequential, deletions last: a control may change the object the next one reads.
    for (const { route, param, probe, control } of [
      ...all.filter((p) => p.route.method !== 'DELETE'),
      ...all.filter((p) => p.route.method === 'DELETE'),
    ]) {
      if (!control) {
        if (typeof probe.control !== 'object') failures.push(`${route.key} [${param}]: no Bari role admitted and no reason given`);
        continue;
      }
      const res = await probe.call(c, control);
      if (res.status === 404 || res.status >= 500)
        failures.push(`${route.key} [${param}] as ${control}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });

  it('isolates the citizen side, provider webhooks, Bull Board and every socket event that names an object', async () => {
    const failures: string[] = [];
    for (const [key, e] of Object.entries(MATRIX)) {
      for (const [param, check] of Object.entries(e.checks ?? {})) {
        try {
          await check(c);
        } catch (err) {
          failures.push(`${key} [${param}]: ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
