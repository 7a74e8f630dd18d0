// Driving code-server's workbench from playwright-core: the pieces the end-to-end tests share
// (quick open, the command palette, CodeLens texts, the status bar, waits on conditions). Every wait
// polls a condition with a generous deadline and leaves a screenshot when it gives up, so a loaded
// machine makes a test slower, never wrong.

import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Settings that keep the workbench quiet and predictable (no chat, git, secondary side bar). */
export const QUIET_SETTINGS = {
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.hover.delay': 200,
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Workbench {
  readonly page: Page;
  readonly shots: string;

  constructor(page: Page, shots: string) {
    this.page = page;
    this.shots = shots;
  }

  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(this.shots, `${name}.png`) }).catch(() => undefined);
  }

  /** Polls `probe` until `pred` holds; on timeout, a screenshot `failed-<what>` and an error with the last value. */
  async until<T>(probe: () => Promise<T>, pred: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let v: T = await probe();
    while (!pred(v)) {
      if (Date.now() > deadline) {
        await this.shot(`failed-${what.replace(/[^\w]+/g, '-').slice(0, 60)}`);
        throw new Error(`${what}: gave up after ${timeoutMs} ms; last seen ${JSON.stringify(v)}`);
      }
      await this.page.waitForTimeout(250);
      v = await probe();
    }
    return v;
  }

  /** Opens a workspace file by quick open and waits until it is the active tab. */
  async openFile(name: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench .part.editor').click({ position: { x: 300, y: 300 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 20_000 });
    await page.keyboard.type(name);
    // The row of the file itself: quick open also lists recent result documents ("<file> · <step>.txt").
    const exact = new RegExp(`^${escapeRe(name)}$`);
    await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first().click({ timeout: 20_000 });
    await page
      .locator('.editor-group-container.active .tab.active .label-name')
      .filter({ hasText: exact })
      .waitFor({ timeout: 20_000 })
      .catch(async (e) => {
        await this.shot(`failed-open-${name}`);
        throw e;
      });
  }

  /** Runs a command from the palette by its exact title. */
  async runCommand(title: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget:not([style*="display: none"]) input').waitFor({ timeout: 20_000 });
    await page.keyboard.type(title);
    await this.pick(new RegExp(`^${escapeRe(title)}$`));
  }

  /** Picks the row of the open quick pick whose label matches. */
  async pick(label: string | RegExp): Promise<void> {
    await this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: label }) }).first().click({ timeout: 20_000 });
  }

  /** The CodeLens texts of the active editor group, one per lens line ("A | Run step"). */
  async lensTexts(): Promise<string[]> {
    const raw = await this.page.locator('.editor-group-container.active .codelens-decoration').allInnerTexts();
    return raw.map((t) => t.replace(/\s*\n\s*\|\s*\n\s*/g, ' | ').trim());
  }

  waitForLens(pred: (texts: string[]) => boolean, what: string, timeoutMs = 90_000): Promise<string[]> {
    return this.until(() => this.lensTexts(), pred, what, timeoutMs);
  }

  /** StepLens' status bar item. */
  statusText(): Promise<string> {
    return this.page.locator('[id$="steplens.status"]').first().innerText({ timeout: 2_000 }).catch(() => '');
  }

  waitForStatus(re: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    return this.until(() => this.statusText(), (t) => re.test(t), what, timeoutMs);
  }

  /** The editor's "Ln 5, Col 3 (12 selected)" status bar item ('' while a webview has the focus). */
  selectionStatus(): Promise<string> {
    return this.page.locator('[id="status.editor.selection"]').first().innerText({ timeout: 2_000 }).catch(() => '');
  }

  /**
   * The content of a webview: two iframes deep (the workbench's `iframe.webview` holds the host page,
   * whose `#active-frame` holds the extension's page). The tests open one webview at a time.
   */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
  }
}
