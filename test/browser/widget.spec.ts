import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ComuniService } from '../../src/comuni/comuni.service.js';
import { startApp, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The web-chat widget outside office hours ("leave a message"), at the common desktop sizes and on
 * a phone: every part of the form is visible, usable and inside the panel, and errors name their field.
 */
describe('web-chat widget, closed hours, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
    // No opening slot at all: the comune is closed whenever the test runs.
    const [{ id }] = await t.ds.query(`INSERT INTO comune_calendars (comune_id, opening_hours, national_holidays, patron_day)
      SELECT id, '{}'::jsonb, false, NULL FROM comuni WHERE slug = 'conversano'
      ON CONFLICT (comune_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, national_holidays = false, patron_day = NULL, closures = '{}'
      RETURNING comune_id AS id`);
    t.app.get(ComuniService).forgetCalendar(id); // written behind the application's back
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await t?.close();
  });

  async function openClosedChat(viewport: { width: number; height: number }, mobile: boolean): Promise<{ page: Page; chat: Locator }> {
    const ctx = await browser.newContext({ viewport, ...(mobile ? { isMobile: true, hasTouch: true } : {}) });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${t.url}/demo/conversano`);
    await page.getByRole('button', { name: 'Scrivi al Comune' }).click();
    const chat = page.getByRole('dialog', { name: 'Comune di Conversano' });
    await chat.getByText('In questo momento l’ufficio è chiuso.').waitFor();
    return { page, chat };
  }

  // The log is re-rendered when the session's history arrives, which may be between resolving a
  // locator and measuring it (the node measured is then detached): measure the current node again.
  const box = async (l: Locator): Promise<Box> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const b = await l.boundingBox();
      if (b) return b;
      await l.waitFor({ state: 'visible', timeout: 1000 }).catch(() => undefined);
    }
    throw new Error(`${String(l)} has no box (not rendered)`);
  };
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const inside = (inner: Box, outer: Box) =>
    inner.x >= outer.x - 0.5 &&
    inner.y >= outer.y - 0.5 &&
    inner.x + inner.width <= outer.x + outer.width + 0.5 &&
    inner.y + inner.height <= outer.y + outer.height + 0.5;

  const sizes: Array<[string, { width: number; height: number }, boolean]> = [
    ['1280x720', { width: 1280, height: 720 }, false],
    ['1366x768', { width: 1366, height: 768 }, false],
    ['1920x1080', { width: 1920, height: 1080 }, false],
    ['phone 375x667', { width: 375, height: 667 }, true],
  ];

  it.each(sizes)('at %s the form is whole, visible and usable, and an empty submit names the field', async (name, viewport, mobile) => {
    const { page, chat } = await openClosedChat(viewport, mobile);
    const panel = await box(chat);
    // The panel itself fits the viewport.
    expect(inside(panel, { x: 0, y: 0, ...viewport })).toBe(true);
    // On a phone it takes the whole screen; the launcher does not stay behind it.
    if (mobile) expect(panel).toEqual({ x: 0, y: 0, ...viewport });
    await expect(page.getByRole('button', { name: 'Scrivi al Comune' }).isVisible()).resolves.toBe(false);

    const banner = chat.locator('.notice');
    const greeting = chat.getByText('Lascia un messaggio e un contatto: ti aggiorneremo appena possibile.');
    const message = chat.getByLabel('Il tuo messaggio');
    const submit = chat.getByRole('button', { name: 'Lascia il messaggio' });

    // The greetings (the chat's welcome, the form's intro) are visible, inside the panel, not under the banner.
    const welcome = chat.getByText('Ciao! Scrivi la tua domanda o la tua segnalazione');
    for (const g of [welcome, greeting]) {
      await expect(g.isVisible()).resolves.toBe(true);
      const b = await box(g);
      expect(inside(b, panel)).toBe(true);
      expect(overlaps(b, await box(banner))).toBe(false);
    }
    // The welcome is not clipped by its scrolling log either.
    expect(inside(await box(welcome), await box(chat.getByRole('log')))).toBe(true);

    // The message box is tall enough to write in (at least three lines of 16 px text).
    const m = await box(message);
    expect(m.height).toBeGreaterThanOrEqual(64);
    expect(inside(m, panel)).toBe(true);

    await screenshot(page, `widget-closed-${name.replace(/\W+/g, '-')}`);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Submitting empty: the submit button is reachable inside the panel's visible area, and it is
    // the button that gets the click (nothing covers it).
    await submit.scrollIntoViewIfNeeded();
    expect(inside(await box(submit), panel)).toBe(true);
    await submit.click({ trial: true, timeout: 2000 });
    await submit.click();

    // The error names the field, is tied to it and announced, and the focus goes to it.
    const error = chat.locator('#sw-leave-text-error');
    await expect(error.textContent()).resolves.toBe('Il tuo messaggio: campo obbligatorio.');
    await expect(message.getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await message.getAttribute('aria-describedby'))?.split(' ')).toContain('sw-leave-text-error');
    await expect(message.evaluate((e: any) => e === e.getRootNode().activeElement)).resolves.toBe(true);
    await chat.getByRole('alert').filter({ hasText: 'Il tuo messaggio: campo obbligatorio.' }).waitFor();
    expect(inside(await box(error), panel)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, `widget-closed-${name.replace(/\W+/g, '-')}-error`);
  });

  it('says the errors in English after the language switch, by field, the consent included', async () => {
    const { chat } = await openClosedChat({ width: 1366, height: 768 }, false);
    await chat.getByRole('button', { name: 'English' }).click();
    const submit = chat.getByRole('button', { name: 'Leave the message' });
    await submit.click();
    await expect(chat.locator('#sw-leave-text-error').textContent()).resolves.toBe('Your message: this field is required.');
    await expect(chat.locator('#sw-leave-contact-error').textContent()).resolves.toBe(
      'E-mail or phone to be updated on: this field is required.',
    );
    await expect(chat.locator('#sw-consent-error').textContent()).resolves.toMatch(/privacy notice/);
    const consent = chat.getByRole('checkbox');
    await expect(consent.getAttribute('aria-describedby')).resolves.toBe('sw-consent-error');

    // Fixed fields lose their error; the first field still wrong gets the focus.
    await chat.getByLabel('Your message').fill('Where do I renew my identity card?');
    await chat.getByLabel('E-mail or phone to be updated on').fill('+39 333 1234567');
    await expect(chat.locator('#sw-leave-text-error').textContent()).resolves.toBe('');
    await expect(chat.getByLabel('Your message').getAttribute('aria-invalid')).resolves.toBeNull();
    await submit.click();
    await expect(consent.evaluate((e: any) => e === e.getRootNode().activeElement)).resolves.toBe(true);
  });
});
