// Checks of how the portal's pages can be used (RGAA / WCAG 2.1 AA), run by
// portal_test.mjs on each page in a real browser: every action reachable
// with the keyboard alone, with a visible focus; no horizontal scrolling at
// 320 px or at 200 % zoom; nothing animated; and the weight and first
// render time of each page, reported.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// What a keyboard user must be able to reach: every visible link, button
// and form control of the page.
function markActions() {
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const all = [...document.querySelectorAll(
      'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary')]
      .filter(visible);
  document.querySelectorAll('[data-kb]').forEach((e) => delete e.dataset.kb);
  all.forEach((e, i) => { e.dataset.kb = String(i); });
  // Sequential navigation starts at the skip link, the page's first stop.
  document.querySelector('a.skip')?.focus();
  return all.length;
}

// Tabs through the whole page: every action gets the focus, and shows it
// (an outline or a shadow). Returns how many actions there were.
export async function keyboardReachesEverything(page, where) {
  const count = await page.evaluate(markActions);
  const reached = new Set();
  const unseen = [];
  for (let i = 0; i < count + 3; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || !e.dataset || e.dataset.kb === undefined) return null;
      const s = getComputedStyle(e);
      const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      return { kb: e.dataset.kb, shown, html: e.outerHTML.slice(0, 100) };
    });
    if (focused === null) continue;
    reached.add(focused.kb);
    if (!focused.shown) unseen.push(focused.html);
  }
  const missed = await page.evaluate((seen) => [...document.querySelectorAll('[data-kb]')]
      .filter((e) => !seen.includes(e.dataset.kb)).map((e) => e.outerHTML.slice(0, 100)), [...reached]);
  assert.deepEqual(missed, [], `${where}: the keyboard reaches every action`);
  assert.deepEqual(unseen, [], `${where}: the focus is visible`);
  return count;
}

// Presses Tab until `selector` has the focus (at most `limit` times), as a
// keyboard user would to reach it.
export async function tabTo(page, selector, limit = 60) {
  await page.evaluate(() => document.querySelector('a.skip')?.focus());
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`the keyboard never reached ${selector}`);
}

// The viewports a page must reflow in: 320 px is the narrowest phone WCAG
// asks for (1.4.10, reflow), 375 px a common phone, and 640 px at a device
// scale of 2 a 1280 px screen at 200 % zoom (1.4.4).
export const kViewports = [
  { name: 'phone-320', width: 320, height: 640, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  { name: 'phone', width: 375, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  { name: 'zoom-200', width: 640, height: 450, deviceScaleFactor: 2, isMobile: false, hasTouch: false },
];

// No horizontal scrolling and a visible heading in the page as loaded in
// the current viewport (load it after setViewport: a change of isMobile
// reloads the page).
export async function reflows(page, where) {
  const { width } = page.viewport();
  const { scroll, h1 } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    h1: document.querySelector('h1')?.getBoundingClientRect().width ?? 0,
  }));
  assert.ok(scroll <= width, `${where} at ${width}px: no horizontal scrolling (${scroll}px)`);
  assert.ok(h1 > 0, `${where} at ${width}px: heading shown`);
}

// Nothing moves: with prefers-reduced-motion (and without) no element has
// an animation or a transition.
export async function nothingMoves(page, where) {
  const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => {
    const s = getComputedStyle(e);
    return (s.animationName && s.animationName !== 'none') ||
        s.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
  }).map((e) => e.tagName));
  assert.deepEqual(moving, [], `${where}: nothing animated`);
}

// Loads `url` with an empty cache and returns what it weighed and how fast
// it showed: bytes of the page itself (HTML, scripts, styles) and of its
// API calls as transferred, the first contentful paint, and when the page
// was ready (body[data-ready] and its API answers in).
export async function weigh(page, url) {
  await page.setCacheEnabled(false);
  // A new document, not a change of the hash in the same one.
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'networkidle0' });
  await page.waitForSelector('body[data-ready="true"]');
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const api = resources.filter((r) => new URL(r.name).pathname.startsWith('/api/'));
    const assets = resources.filter((r) => !new URL(r.name).pathname.startsWith('/api/'));
    const sum = (list) => list.reduce((n, r) => n + r.transferSize, 0);
    const paint = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
    const last = resources.reduce((t, r) => Math.max(t, r.responseEnd), nav.loadEventEnd);
    return {
      pageBytes: nav.transferSize + sum(assets),
      apiBytes: sum(api),
      requests: resources.length + 1,
      firstPaintMs: Math.round(paint ? paint.startTime : -1),
      readyMs: Math.round(last),
    };
  });
  await page.setCacheEnabled(true);
  return m;
}

// A PNG of the page as it is now, into `dir` (made if needed).
export async function screenshot(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
