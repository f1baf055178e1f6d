import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DevIdp } from '../../src/portal/dev-idp/dev-idp.js';
import { TEST_CITIZENS } from '../../src/portal/dev-idp/test-citizens.js';
import { ErasureService } from '../../src/portal/privacy/erasure.js';
import { RetentionSweep } from '../../src/portal/privacy/retention.js';
import { REMOVED_TEXT } from '../../src/portal/privacy/anonymise.js';
import { asSystem } from '../../src/tenancy/db-scope.js';
import { eventually, login, type TestApp } from '../support/harness.js';
import { comuneId } from '../support/factories.js';
import { appFetch, browser, oidcLogin, portalPost, session, startPortal, type Browser } from './support.js';

/**
 * Data-subject rights (src/portal/privacy): the export of everything held about the citizen, the
 * erasure request and its job, the retention period of each comune and its sweep, the privacy event
 * log. One app boot (API + workers), the development identity provider as the SPID gateway.
 */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(300)]);
const MODUGNO_POINT = { lat: 41.08122, lon: 16.78075 };

describe('portal: i miei dati e la privacy', () => {
  let t: TestApp;
  let idp: DevIdp;
  let mariaB: Browser;
  let nicolaB: Browser;
  let bari: number;
  let modugno: number;
  let bariSup: string;
  let modSup: string;
  let modMgr: string;
  let bariMgr: string;
  const maria = TEST_CITIZENS.find((c) => c.id === 'maria-rossi')!;
  const nicola = TEST_CITIZENS.find((c) => c.id === 'nicola-de-santis')!;
  let bariRef: string;
  let modugnoRef: string;
  let nicolaRef: string;
  let mariaAccount: string;
  let requestId: string;

  beforeAll(async () => {
    ({ t, idp } = await startPortal());
    bari = await comuneId(t.ds, 'bari');
    modugno = await comuneId(t.ds, 'modugno');
    bariSup = await login(t, 'supervisore@bari.demo');
    modSup = await login(t, 'supervisore@modugno.demo');
    modMgr = await login(t, 'manager@modugno.demo');
    bariMgr = await login(t, 'manager@bari.demo');
    mariaB = browser();
    await oidcLogin(t, idp, mariaB, { method: 'spid', citizenId: maria.id });
    nicolaB = browser();
    await oidcLogin(t, idp, nicolaB, { method: 'cie', citizenId: nicola.id });
    mariaAccount = (await session(t, mariaB)).citizen.id;
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  const auth = (tok: string) => ({ Authorization: `Bearer ${tok}` });
  const ticketOf = async (reference: string) => (await t.ds.query(`SELECT * FROM tickets WHERE reference = $1`, [reference]))[0];
  const request = async (b: Browser | null, slug: string, email: string, description: string) => {
    const res = await (b ? portalPost : (_t: TestApp, _b: Browser, p: string, body: unknown) => portalPost(t, browser(), p, body, null))(
      t,
      b ?? browser(),
      `/api/portal/v1/comuni/${slug}/requests`,
      { submissionId: `sub-${randomBytes(6).toString('hex')}`, category: 'tributi', description, email, privacyConsent: true },
    );
    expect(res.status).toBe(201);
    return ((await res.json()) as any).reference as string;
  };
  const exportOf = async (b: Browser) => {
    const res = await appFetch(t, b, '/api/portal/v1/me/data');
    expect(res.status).toBe(200);
    return { res, body: (await res.json()) as any };
  };
  const resolve = (ticketId: string, tok: string) =>
    t.http.patch(`/api/tickets/${ticketId}`).set(auth(tok)).send({ status: 'resolved' }).expect(200);
  /** Runs the retention sweep until the case is anonymised (a locked case waits for the next run); how many it anonymised in all. */
  const sweepUntil = async (ref: string): Promise<number> => {
    let total = 0;
    await eventually(async () => {
      total += await t.app.get(RetentionSweep).sweep();
      return (await ticketOf(ref)).anonymised_at !== null;
    });
    return total;
  };
  const privacy = (comune: number, tok: string) => t.http.get(`/api/console/comuni/${comune}/privacy`).set(auth(tok));
  const setRetention = (comune: number, tok: string, retentionMonths: unknown) =>
    t.http.put(`/api/console/comuni/${comune}/privacy/retention`).set(auth(tok)).send({ retentionMonths });

  it('Maria sends a request to Bari and a report with a photo to Modugno logged in; Nicola a request to Bari', async () => {
    bariRef = await request(mariaB, 'bari', maria.email, 'Vorrei sapere come pagare la TARI a rate, abito in via Sparano 12.');
    const { csrfToken } = await session(t, mariaB);
    const form = new FormData();
    const fields = {
      submissionId: `sub-${randomBytes(6).toString('hex')}`,
      category: 'strade',
      lat: String(MODUGNO_POINT.lat),
      lon: String(MODUGNO_POINT.lon),
      address: 'Via Roma 10, Modugno',
      description: 'Buca profonda davanti al civico 10, la segnala Maria Rossi.',
      name: 'Maria Rossi',
      email: maria.email,
      phone: '333 1234567',
      privacyConsent: 'true',
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('photos', new Blob([JPEG], { type: 'image/jpeg' }), 'buca-via-roma.jpg');
    const sent = await appFetch(t, mariaB, '/api/portal/v1/comuni/modugno/reports', {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken },
      body: form,
    });
    expect(sent.status).toBe(201);
    modugnoRef = ((await sent.json()) as any).reference;
    nicolaRef = await request(nicolaB, 'bari', nicola.email, 'Richiesta di Nicola sulla TARI');
    // Bari answers Maria publicly and writes an internal note.
    const b = await ticketOf(bariRef);
    await t.http.post(`/api/tickets/${b.id}/messages`).set(auth(bariSup)).send({ text: 'Può pagare in quattro rate.' }).expect(201);
    await t.http
      .post(`/api/tickets/${b.id}/messages`)
      .set(auth(bariSup))
      .send({ text: 'Nota interna: verificare la posizione', internal: true })
      .expect(201);
  });

  it('her export has her cases of both comuni with the public conversation, her photo listed, no internal note, no other citizen', async () => {
    const { res, body } = await exportOf(mariaB);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="sportello-dati-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(body.account).toMatchObject({
      fiscalCode: maria.fiscalCode,
      givenName: 'Maria',
      familyName: 'Rossi',
      assurance: 'spid',
      level: 2,
    });
    expect(body.sessions.length).toBeGreaterThan(0);
    expect(Object.keys(body.sessions[0]).sort()).toEqual(['assurance', 'createdAt', 'expiresAt', 'lastSeenAt']);
    expect(body.cases.map((c: any) => c.reference).sort()).toEqual([bariRef, modugnoRef].sort());
    expect(body.cases.map((c: any) => c.comune.slug).sort()).toEqual(['bari', 'modugno']);
    const text = JSON.stringify(body);
    expect(text).not.toContain(nicolaRef);
    expect(text).not.toContain('Richiesta di Nicola');
    expect(text).not.toContain('Nota interna');
    const bariCase = body.cases.find((c: any) => c.reference === bariRef);
    expect(bariCase.messages.map((m: any) => m.text)).toEqual(
      expect.arrayContaining(['Vorrei sapere come pagare la TARI a rate, abito in via Sparano 12.', 'Può pagare in quattro rate.']),
    );
    const reply = bariCase.messages.find((m: any) => m.from === 'operator');
    expect(Object.keys(reply).sort()).toEqual(['at', 'attachments', 'from', 'id', 'operator', 'text']);
    const photo = body.cases.find((c: any) => c.reference === modugnoRef).messages.flatMap((m: any) => m.attachments)[0];
    expect(photo).toMatchObject({
      contentType: 'image/jpeg',
      sizeBytes: JPEG.length,
      removedAt: null,
      url: expect.stringMatching(/^\/api\/portal/),
    });
    const file = await fetch(`${t.url}${photo.url}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(JPEG)).toBe(true);
    expect(body.consents.length).toBeGreaterThan(0);
    expect(body.consents[0]).toMatchObject({ purpose: expect.any(String), granted: true, at: expect.any(String) });
    // Nicola's export: his case only.
    expect((await exportOf(nicolaB)).body.cases.map((c: any) => c.reference)).toEqual([nicolaRef]);
    // Recorded: who exported, when.
    const events = await t.ds.query(`SELECT actor_type, actor_id, comune_id FROM privacy_events WHERE kind = 'export' ORDER BY id`);
    expect(events).toContainEqual({ actor_type: 'citizen', actor_id: mariaAccount, comune_id: null });
    expect((await appFetch(t, browser(), '/api/portal/v1/me/data')).status).toBe(401);
  });

  it('refuses an erasure without confirmation (400 naming confirm) or without the CSRF token (403)', async () => {
    const noConfirm = await portalPost(t, mariaB, '/api/portal/v1/me/erasure', {});
    expect(noConfirm.status).toBe(400);
    expect(((await noConfirm.json()) as any).fields[0].field).toBe('confirm');
    const noCsrf = await portalPost(t, mariaB, '/api/portal/v1/me/erasure', { confirm: true }, null);
    expect(noCsrf.status).toBe(403);
    expect((await session(t, mariaB)).authenticated).toBe(true);
  });

  it('closes the Modugno report; 20 erasure requests at once are one request and one job, and log her out', async () => {
    await resolve((await ticketOf(modugnoRef)).id, modSup);
    const { csrfToken } = await session(t, mariaB);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => portalPost(t, mariaB, '/api/portal/v1/me/erasure', { confirm: true }, csrfToken)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 202 || s === 401)).toBe(true);
    const accepted = await Promise.all(answers.filter((a) => a.status === 202).map((a) => a.json() as Promise<any>));
    expect(accepted.length).toBeGreaterThan(0);
    expect(new Set(accepted.map((a) => a.requestId)).size).toBe(1);
    expect(accepted.filter((a) => a.created)).toHaveLength(1);
    requestId = accepted[0].requestId;
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM privacy_erasure_requests WHERE account_id = $1`, [mariaAccount])).toEqual([
      { n: 1 },
    ]);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'privacy.erase'`)).toEqual([{ n: 1 }]);
    expect(
      await t.ds.query(`SELECT count(*)::int AS n FROM privacy_events WHERE kind = 'erasure_requested' AND actor_id = $1`, [mariaAccount]),
    ).toEqual([{ n: 1 }]);
    // Logged out everywhere at once.
    expect((await session(t, mariaB)).authenticated).toBe(false);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM citizen_sessions WHERE account_id = $1`, [mariaAccount])).toEqual([{ n: 0 }]);
  });

  it('the job deletes the account, anonymises the closed case (messages, photo file) and keeps its record; the open one waits', async () => {
    await eventually(
      async () => (await t.ds.query(`SELECT status FROM privacy_erasure_requests WHERE id = $1`, [requestId]))[0]?.status === 'done',
      15_000,
      'the erasure job',
    );
    expect(await t.ds.query(`SELECT id FROM citizen_accounts WHERE id = $1 OR fiscal_code = $2`, [mariaAccount, maria.fiscalCode])).toEqual(
      [],
    );
    expect(await t.ds.query(`SELECT id FROM citizen_account_links WHERE account_id = $1`, [mariaAccount])).toEqual([]);

    const report = await ticketOf(modugnoRef);
    expect(report).toMatchObject({ reference: modugnoRef, category: 'strade', type: 'report', status: 'resolved' });
    expect(report.anonymised_at).not.toBeNull();
    expect(report.created_at).toBeInstanceOf(Date);
    const msgs = await t.ds.query(`SELECT author_type, text FROM messages WHERE ticket_id = $1 AND author_type = 'citizen'`, [report.id]);
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.every((m: any) => m.text === null || m.text === REMOVED_TEXT.erasure)).toBe(true);
    expect(JSON.stringify(await t.ds.query(`SELECT text FROM messages WHERE ticket_id = $1`, [report.id]))).not.toContain('Maria Rossi');
    const [photo] = await t.ds.query(`SELECT a.* FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1`, [
      report.id,
    ]);
    expect(photo.removed_at).not.toBeNull();
    expect(existsSync(join(t.config.storageDir, photo.storage_key))).toBe(false);
    expect((await t.http.get(`/api/attachments/${photo.id}`).set(auth(modSup))).status).toBe(404);
    // The open Bari request is kept as it is until closed.
    const open = await ticketOf(bariRef);
    expect(open.anonymised_at).toBeNull();
    expect(open.erasure_requested_at).not.toBeNull();
    const [first] = await t.ds.query(`SELECT text FROM messages WHERE ticket_id = $1 AND author_type = 'citizen' ORDER BY id LIMIT 1`, [
      open.id,
    ]);
    expect(first.text).toContain('via Sparano 12');
    // The event log says so, per comune.
    const done = await t.ds.query(
      `SELECT comune_id, counts FROM privacy_events WHERE kind = 'erasure_completed' AND request_id = $1 ORDER BY comune_id NULLS LAST`,
      [requestId],
    );
    expect(done).toEqual([
      { comune_id: Math.min(bari, modugno), counts: expect.any(Object) },
      { comune_id: Math.max(bari, modugno), counts: expect.any(Object) },
      {
        comune_id: null,
        counts: expect.objectContaining({ casesAnonymised: 1, casesPendingUntilClosed: 1, attachments: 1, accountDeleted: 1 }),
      },
    ]);
    // Run again (a retry after a crash): the same result, nothing recorded twice.
    const again = await asSystem('privacy-erasure', () => t.app.get(ErasureService).run(requestId));
    expect(again).toMatchObject({ casesAnonymised: 1, casesPendingUntilClosed: 1 });
    expect(
      await t.ds.query(`SELECT count(*)::int AS n FROM privacy_events WHERE request_id = $1 AND kind = 'erasure_completed'`, [requestId]),
    ).toEqual([{ n: 3 }]);
  });

  it('logging in again creates a fresh, empty account', async () => {
    const b = browser();
    await oidcLogin(t, idp, b, { method: 'spid', citizenId: maria.id });
    const s = await session(t, b);
    expect(s.authenticated).toBe(true);
    expect(s.citizen.id).not.toBe(mariaAccount);
    expect((await exportOf(b)).body.cases).toEqual([]);
  });

  it('the open case, once closed, is anonymised by the sweep; its identity loses its address', async () => {
    const open = await ticketOf(bariRef);
    await resolve(open.id, bariSup);
    // The sweep skips a case another transaction holds (SKIP LOCKED: the workers reacting to the
    // resolution may): it is done by a later run. Runs until it is done.
    await sweepUntil(bariRef);
    const after = await ticketOf(bariRef);
    expect(after.anonymised_at).not.toBeNull();
    expect(after).toMatchObject({ reference: bariRef, category: 'tributi', status: 'resolved' });
    const texts = await t.ds.query(`SELECT text FROM messages WHERE ticket_id = $1 AND author_type = 'citizen'`, [open.id]);
    expect(texts.map((m: any) => m.text)).toEqual(texts.map(() => REMOVED_TEXT.erasure));
    // The operator's public answer is the administration's: kept.
    expect(
      (await t.ds.query(`SELECT text FROM messages WHERE ticket_id = $1 AND author_type = 'operator'`, [open.id])).map((m: any) => m.text),
    ).toContain('Può pagare in quattro rate.');
    const [identity] = await t.ds.query(`SELECT address, display_name FROM citizen_identities WHERE id = $1`, [open.citizen_identity_id]);
    expect(identity.address).toMatch(/^rimosso:/);
    // Nicola's case is untouched.
    expect((await ticketOf(nicolaRef)).anonymised_at).toBeNull();
  });

  it('retention: a manager sets 24 months for Modugno; the sweep anonymises only Modugno’s closed cases older than that', async () => {
    const set = await setRetention(modugno, modMgr, 24);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ comuneId: modugno, retentionMonths: 24, defaultMonths: 60 });
    const old = await request(null, 'modugno', 'vecchia@esempio.it', 'Pratica vecchia di Modugno, mi chiamo Anna Bianchi');
    const recent = await request(null, 'modugno', 'recente@esempio.it', 'Pratica recente di Modugno');
    const stillOpen = await request(null, 'modugno', 'aperta@esempio.it', 'Pratica aperta di Modugno');
    const bariOld = await request(null, 'bari', 'barese@esempio.it', 'Pratica vecchia di Bari');
    for (const ref of [old, recent]) await resolve((await ticketOf(ref)).id, modSup);
    await resolve((await ticketOf(bariOld)).id, bariSup);
    const backdate = (ref: string, months: number) =>
      t.ds.query(
        `UPDATE tickets SET created_at = now() - make_interval(months => $2 + 1), resolved_at = now() - make_interval(months => $2) WHERE reference = $1`,
        [ref, months],
      );
    await backdate(old, 30);
    await backdate(recent, 12);
    await backdate(bariOld, 30); // Bari keeps closed cases 60 months (the default)
    await t.ds.query(`UPDATE tickets SET created_at = now() - interval '40 months' WHERE reference = $1`, [stillOpen]);

    expect(await sweepUntil(old)).toBe(1);
    expect((await ticketOf(old)).anonymised_at).not.toBeNull();
    for (const ref of [recent, stillOpen, bariOld])
      expect({ ref, anonymised: (await ticketOf(ref)).anonymised_at }).toEqual({ ref, anonymised: null });
    const oldTexts = await t.ds.query(`SELECT text FROM messages WHERE ticket_id = $1 AND author_type = 'citizen'`, [
      (await ticketOf(old)).id,
    ]);
    expect(oldTexts.map((m: any) => m.text)).toEqual([REMOVED_TEXT.retention]);
    // Idempotent: nothing left to do.
    expect(await t.app.get(RetentionSweep).sweep()).toBe(0);

    const page = await privacy(modugno, modMgr);
    expect(page.status).toBe(200);
    const kinds = page.body.events.map((e: any) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['retention_set', 'retention_anonymised', 'erasure_completed']));
    expect(page.body.events.find((e: any) => e.kind === 'retention_anonymised').counts).toMatchObject({ cases: 1 });
    expect(page.body.events.every((e: any) => e.comuneId === modugno)).toBe(true);
    // The metropolitan administrator sees every comune's lines.
    const admin = await login(t, 'admin@metro.demo');
    expect((await privacy(bari, admin)).status).toBe(200);
  });

  it('another comune’s manager gets 404 reading or changing Modugno’s retention; a supervisor 403; bad input 400 naming the field', async () => {
    expect((await privacy(modugno, bariMgr)).status).toBe(404);
    const intrusion = await setRetention(modugno, bariMgr, 1);
    expect(intrusion.status).toBe(404);
    expect(
      (await t.ds.query(`SELECT closed_case_retention_months AS m FROM comune_privacy_settings WHERE comune_id = $1`, [modugno]))[0].m,
    ).toBe(24);
    expect((await privacy(modugno, modSup)).status).toBe(403);
    for (const bad of [-3, 'abc', 0, 2.5, 5000]) {
      const res = await setRetention(modugno, modMgr, bad);
      expect({ bad, status: res.status, field: res.body.fields?.[0]?.field }).toEqual({ bad, status: 400, field: 'retentionMonths' });
    }
    const missing = await t.http.put(`/api/console/comuni/${modugno}/privacy/retention`).set(auth(modMgr)).send({});
    expect(missing.status).toBe(400);
    // null: kept for ever.
    expect((await setRetention(bari, bariMgr, null)).body).toMatchObject({ comuneId: bari, retentionMonths: null });
  });
});
