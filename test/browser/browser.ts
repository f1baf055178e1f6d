import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

/** Saved for a person to look at (not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/**
 * Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules) and returns the serious and critical
 * violations, described well enough to fix them from the test output.
 */
export async function seriousA11yViolations(page: Page, context?: string): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the console's content policy (no inline scripts) stays on.
  if (!(await page.evaluate(`typeof axe !== 'undefined'`))) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(${context ? JSON.stringify(context) : 'document'}, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }).then((r) => r.violations)`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join(' | ')}`,
    );
}
