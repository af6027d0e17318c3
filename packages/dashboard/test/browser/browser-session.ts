import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '@rivulet/testing';

/** Debian's chromium, which scripts/setup.sh installs. */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every page the browser tests visit (git-ignored); a few are copied into docs/ by hand. */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'dashboard');

export interface ConsoleEntry {
  readonly at: number;
  readonly type: string;
  readonly text: string;
}

/**
 * Headless Chromium driven by Playwright, with every console error and
 * uncaught page error recorded (a test asserts there are none).
 */
export class BrowserSession {
  readonly errors: ConsoleEntry[] = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async open(viewport = { width: 1280, height: 720 }): Promise<BrowserSession> {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/setup.sh does)`);
    // Root (CI) cannot use Chromium's sandbox.
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport });
    const session = new BrowserSession(browser, page);
    page.on('console', (message) => {
      if (message.type() === 'error') session.errors.push({ at: Date.now(), type: 'console', text: `${message.text()} ${message.location().url ?? ''}`.trim() });
    });
    page.on('pageerror', (error) => session.errors.push({ at: Date.now(), type: 'pageerror', text: error.stack ?? error.message }));
    return session;
  }

  async screenshot(name: string, page: Page = this.page): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
