// Debian's Chromium driven by playwright-core (nothing downloads a browser), one page per
// person with everything the tests check on every page: console errors and uncaught
// exceptions, accessibility by axe-core, horizontal overflow on tablets, and screenshots.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import {chromium} from 'playwright-core';
import {REPO} from './region.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const SCREENSHOTS = process.env.RENKEI_E2E_SCREENSHOTS || path.join(REPO, 'build/e2e-screenshots');

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-e2e-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.RENKEI_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: {width: 1024, height: 768},
  });
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, {recursive: true, force: true});
    },
  };
}

// A person's tab. Collects console errors and page errors; an API answer the page handles
// (a 4xx from /v1/ the test declared, or a 404 "no route" of a hub without an optional
// route, which the page falls back from) is the browser's network log, not a page error.
export class Person {
  constructor(context, region, login, {viewport = {width: 1024, height: 768}} = {}) {
    this.browserContext = context;
    this.region = region;
    this.login = login;
    this.viewport = viewport;
    this.errors = [];
    this.apiErrors = [];
    this.expected = [];
    this.requests = [];
  }

  async open() {
    // One tab per person: the session token lives in the tab's sessionStorage.
    this.page = await this.browserContext.newPage();
    await this.page.setViewportSize(this.viewport);
    this.page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      this.errors.push({text: msg.text(), url: msg.location() ? msg.location().url : ''});
    });
    this.page.on('pageerror', (e) => this.errors.push({text: `pageerror: ${e.message}`, url: ''}));
    this.page.on('request', (r) => {
      if (r.url().includes('/v1/')) this.requests.push(r.url());
    });
    this.page.on('response', async (r) => {
      if (!r.url().includes('/v1/') || r.status() < 400) return;
      let body = '';
      try {
        body = await r.text();
      } catch {
        // gone with the page
      }
      this.apiErrors.push({url: r.url(), status: r.status(), body});
    });
    await this.page.goto(`${this.region.url}/`);
    await this.page.waitForSelector('form.signin-form');
    return this;
  }

  // Declares that the page will get `status` from an API path matching `pattern` and handle it.
  expectHttpError(status, pattern) {
    this.expected.push({status, pattern});
  }

  async signIn() {
    const s = this.region.signIn(this.login);
    const p = this.page;
    await p.fill('input[name=login]', this.login);
    await p.fill('input[name=password]', s.password);
    await p.fill('input[name=code]', await this.region.code(this.login));
    await p.click('form.signin-form button[type=submit]');
    await p.waitForSelector('.who-name', {timeout: 15000});
    return this;
  }

  // Fails on console errors and page errors since the last check, except the handled API
  // answers described above.
  async assertNoConsoleErrors(label) {
    await this.page.waitForTimeout(50);
    const unexpected = this.errors.filter((e) => !this.excused(e));
    this.errors = [];
    assert.deepEqual(unexpected, [], `${this.login} ${label}: console errors`);
  }

  excused(e) {
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(e.text);
    if (!m || !e.url.includes('/v1/')) return false;
    const status = Number(m[1]);
    const answer = this.apiErrors.find((a) => a.url === e.url && a.status === status);
    if (!answer) return false;
    if (status === 404 && /no route matches the path/.test(answer.body)) return true;
    return this.expected.some((x) => x.status === status && x.pattern.test(new URL(e.url).pathname));
  }

  // axe-core on the page as it is; fails on any WCAG 2.0/2.1 A or AA violation (label,
  // button-name, link-name, image-alt, aria-*, color-contrast, document-title, html-has-lang ...).
  async assertAccessible(label) {
    const p = this.page;
    // Evaluated through the DevTools protocol: the portal's CSP forbids inline scripts, and
    // is kept on so that the test sees every violation of it as a console error.
    if (!(await p.evaluate(() => Boolean(window.axe)))) await p.evaluate(AXE_SOURCE);
    const result = await p.evaluate(async () => window.axe.run(document, {
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
      rules: {'html-has-lang': {enabled: true}, 'document-title': {enabled: true}},
    }));
    const violations = result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`)}));
    const ran = new Set([...result.passes, ...result.violations, ...result.incomplete, ...result.inapplicable].map((r) => r.id));
    for (const rule of ['label', 'button-name', 'link-name', 'image-alt', 'color-contrast', 'document-title', 'html-has-lang', 'aria-valid-attr']) {
      assert.ok(ran.has(rule), `axe ran ${rule}`);
    }
    assert.deepEqual(violations, [], `${label}: accessibility violations`);
  }

  // No horizontal scrolling of the page at tablet sizes, upright and sideways.
  async assertFitsTablets(label) {
    const p = this.page;
    for (const size of [{width: 768, height: 1024}, {width: 1024, height: 768}]) {
      await p.setViewportSize(size);
      await p.waitForTimeout(150);
      const overflow = await p.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('body *')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.right > document.documentElement.clientWidth + 1 && !el.closest('.table-wrap, .visually-hidden, dialog');
        }).slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      }));
      assert.ok(overflow.scroll <= overflow.client, `${label} at ${size.width}x${size.height}: page scrolls sideways ${JSON.stringify(overflow)}`);
    }
    await p.setViewportSize(this.viewport);
  }

  async screenshot(name) {
    await this.page.screenshot({path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true});
  }

  async close() {
    if (this.page) await this.page.close();
  }
}
