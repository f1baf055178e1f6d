import { jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, TEST_PASSWORD, type TestApp } from '../support/harness.js';
import { launchChromium, screenshot, seriousA11yViolations } from './browser.js';

jest.setTimeout(120_000);

const ALWAYS_OPEN = JSON.stringify(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])));

describe('agent console and web-chat widget in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp(), launchChromium()]);
    await t.ds.query(`INSERT INTO webchat_settings (comune_id, opening_hours) SELECT id, $1::jsonb FROM comuni WHERE slug = 'bari'`, [ALWAYS_OPEN]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await t?.close();
  });

  async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (err) => { throw err; });
    return page;
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${t.url}/console/`);
    await page.getByLabel('Indirizzo e-mail').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('navigation', { name: 'Navigazione principale' }).waitFor();
  }

  it('signs in, in Italian by default with an English switch, and the login page is accessible', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/console/`);
    await expect(page.getByRole('heading', { name: 'Accesso operatori' }).isVisible()).resolves.toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '01-login');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Operator sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Italiano' }).click();

    await page.getByLabel('Indirizzo e-mail').fill('operatore@bari.demo');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Accesso non riuscito' }).waitFor();
  });
});
