import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import type { TestApp } from '../support/harness.js';
import { comuneId } from '../support/factories.js';
import { citizenBrowser } from './support.js';
import { appFetch, browser, oidcLogin, portalPost, session, startPortal, type Browser } from '../portal/support.js';

/**
 * The participation kernel (src/participation/kernel) through the debates service: public reads,
 * a citizen's comments and votes, once-per-person under concurrent replays, reports to the
 * moderators hiding a comment at the threshold, another comune's space answering 404.
 */
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

describe('participation kernel', () => {
  let t: TestApp;
  let idp: DevIdp;
  let bari: number;
  let spaceId: string;
  let itemId: string;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const b: Browser[] = [];

  beforeAll(async () => {
    ({ t, idp } = await startPortal({ LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' }));
    bari = await comuneId(t.ds, 'bari');
    const [s] = await t.ds.query(
      `INSERT INTO participation_spaces (comune_id, service, slug, title_it, summary_it, state)
       VALUES ($1, 'debates', 'piazza-ferrarese', 'Il futuro di piazza Ferrarese', 'Come usare la piazza?', 'published') RETURNING id::text AS id`,
      [bari],
    );
    spaceId = s.id;
    const [i] = await t.ds.query(
      `INSERT INTO participation_items (comune_id, space_id, service, kind, title, body, stage, published_at)
       VALUES ($1, $2, 'debates', 'debate', 'Più alberi o più eventi?', 'La piazza ospita eventi tutto l''anno: meglio più verde?', 'open', now())
       RETURNING id::text AS id`,
      [bari, spaceId],
    );
    itemId = i.id;
    const br = browser();
    const { callback } = await oidcLogin(t, idp, br, { method: 'spid', citizenId: maria.id });
    expect(callback.status).toBe(302);
    b.push(br);
    b.push((await citizenBrowser(t, { assurance: 'cie', givenName: 'Nicola', familyName: 'Lorusso' })).b);
    b.push((await citizenBrowser(t, { assurance: 'email' })).b);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('lists the comune’s spaces and shows a space with its actions', async () => {
    const list = await appFetch(t, browser(), '/api/portal/v1/comuni/bari/spaces');
    expect(list.status).toBe(200);
    const body = await json(list);
    expect(body.spaces.map((s: any) => s.slug)).toContain('piazza-ferrarese');
    const other = await appFetch(t, browser(), '/api/portal/v1/comuni/modugno/spaces/piazza-ferrarese');
    expect(other.status).toBe(404);
    const space = await json(appFetch(t, b[0], '/api/portal/v1/comuni/bari/spaces/piazza-ferrarese'));
    expect(space.actions.map((a: any) => a.action)).toEqual(['contribute:comment', 'contribute:comment_vote']);
  });

  it('stores a comment, counts it, and a vote sent five times at once once', async () => {
    const res = await portalPost(t, b[0], `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'comment',
      body: 'Più alberi, e panchine all’ombra.',
    });
    expect(res.status).toBe(200);
    const { contribution } = await json(res);
    expect(contribution).toMatchObject({ authorName: 'Maria R.', body: 'Più alberi, e panchine all’ombra.', mine: true });
    const csrf = (await session(t, b[1])).csrfToken;
    const votes = await Promise.all(
      Array.from({ length: 5 }, () =>
        portalPost(
          t,
          b[1],
          `/api/portal/v1/participation/items/${itemId}/contributions`,
          { kind: 'comment_vote', parentId: contribution.id, data: { value: 1 } },
          csrf,
        ),
      ),
    );
    expect(votes.map((v) => v.status)).toEqual([200, 200, 200, 200, 200]);
    const created = await Promise.all(votes.map(async (v) => (await json(v)).created));
    expect(created.filter(Boolean)).toHaveLength(1);
    const comments = await json(appFetch(t, browser(), `/api/portal/v1/participation/items/${itemId}/comments`));
    expect(comments.comments).toHaveLength(1);
    expect(comments.comments[0]).toMatchObject({ score: 1, mine: false });
    const item = await json(appFetch(t, browser(), `/api/portal/v1/participation/items/${itemId}`));
    expect(item.commentCount).toBe(1);
    // A bad kind names the field; an empty comment too.
    const bad = await portalPost(t, b[1], `/api/portal/v1/participation/items/${itemId}/contributions`, { kind: 'firma' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).fields[0].field).toBe('kind');
    const empty = await portalPost(t, b[1], `/api/portal/v1/participation/items/${itemId}/contributions`, { kind: 'comment', body: '  ' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).fields[0].field).toBe('body');
  });

  it('hides a comment reported by three people, once each, and the public no longer sees it', async () => {
    const res = await portalPost(t, b[1], `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'comment',
      body: 'Compra ora su example.com!!!',
    });
    const spam = (await json(res)).contribution.id;
    for (const br of b) {
      const csrf = (await session(t, br)).csrfToken;
      const twice = await Promise.all(
        [0, 1].map(() => portalPost(t, br, '/api/portal/v1/participation/flags', { itemId, contributionId: spam, reason: 'spam' }, csrf)),
      );
      expect(twice.map((r) => r.status)).toEqual([200, 200]);
    }
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM participation_flags WHERE contribution_id = $1`, [spam]);
    expect(n).toBe(3);
    const comments = await json(appFetch(t, browser(), `/api/portal/v1/participation/items/${itemId}/comments`));
    expect(comments.comments.map((c: any) => c.id)).not.toContain(spam);
    const [e] = await t.ds.query(`SELECT type FROM participation_events WHERE contribution_id = $1`, [spam]);
    expect(e.type).toBe('moderation.auto_hidden');
  });

  it('refuses comments once the debate is closed, with the reason', async () => {
    await t.ds.query(`UPDATE participation_items SET stage = 'closed' WHERE id = $1`, [itemId]);
    const res = await portalPost(t, b[2], `/api/portal/v1/participation/items/${itemId}/contributions`, {
      kind: 'comment',
      body: 'Troppo tardi?',
    });
    expect(res.status).toBe(409);
    expect((await json(res)).message).toBe('non è possibile in questa fase');
    await t.ds.query(`UPDATE participation_items SET stage = 'open' WHERE id = $1`, [itemId]);
  });
});
