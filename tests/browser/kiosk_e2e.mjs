// End-to-end test of the kiosk page (`hotline kiosk serve`) in Debian's headless Chromium.
//
// Environment (all required unless marked):
//   KIOSK_URL         the kiosk server, e.g. http://127.0.0.1:PORT/
//   PROFILE_DIR       Chromium's profile folder (kept, for the caller to search afterwards)
//   SHOT_DIR          screenshots, one per step (start.png ... idle.png)
//   PHOTO             a JPEG to attach
//   PHONE, NAME       contact details typed in the full flow
//   TEXT              a complaint text; ADDRESS its place
//   KB_QUERY          a text whose knowledge-base suggestions must appear
//   IDLE_SECONDS      the server's idle_seconds
//   EXPECT_DUPLICATE  (optional) "1": the duplicate step must offer a matter to join, and it is joined
//   CHROMIUM          (optional) the browser, /usr/bin/chromium by default
//
// Prints one line of JSON on success; exits non-zero with a message on stderr at the first
// unmet expectation. Every wait is bounded, and a watchdog ends a run that hangs anyway.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const WAIT = 15_000;

class Unmet extends Error {}
const fail = msg => { throw new Unmet(msg); };
function need(name) {
  const v = process.env[name];
  if (v === undefined || v === '') fail(`environment variable ${name} is required`);
  return v;
}

let context = null;

async function main() {
  const url = need('KIOSK_URL');
  const profileDir = need('PROFILE_DIR');
  const shotDir = need('SHOT_DIR');
  const photo = need('PHOTO');
  const phone = need('PHONE');
  const name = need('NAME');
  const text = need('TEXT');
  const address = need('ADDRESS');
  const kbQuery = need('KB_QUERY');
  const idleSeconds = Number(need('IDLE_SECONDS'));
  const expectDuplicate = process.env.EXPECT_DUPLICATE === '1';
  if (!(idleSeconds > 0)) fail(`IDLE_SECONDS must be a positive number, not ${process.env.IDLE_SECONDS}`);
  if (!fs.existsSync(photo)) fail(`PHOTO ${photo} does not exist`);
  if (phone.length < 5) fail('PHONE must have at least 5 characters');
  fs.mkdirSync(shotDir, { recursive: true });
  fs.mkdirSync(profileDir, { recursive: true });

  // However a run goes wrong, it ends: the flow itself needs well under a minute plus the idle wait.
  const watchdog = setTimeout(() => {
    process.stderr.write('kiosk e2e: FAILED: the whole run took too long (watchdog)\n');
    process.exit(3);
  }, 180_000 + idleSeconds * 1000);
  watchdog.unref();

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
    viewport: { width: 1080, height: 1400 },
    locale: 'zh-CN',
    timeout: 60_000,
  });
  context.setDefaultTimeout(WAIT);
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(String(e)));
  // Uncaught errors and blocked scripts fail the run; a failed request (a 4xx the page shows) does not.
  page.on('console', m => { if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) pageErrors.push('console: ' + m.text()); });

  const shot = async file => page.screenshot({ path: path.join(shotDir, file), fullPage: true });
  const step = () => page.evaluate(() => document.body.dataset.step);
  const message = () => page.evaluate(() => document.getElementById('message').innerText.trim());
  // Waits for one of the wanted steps; gives up early when the page moves elsewhere or shows an error.
  async function waitStep(want, what, from) {
    const wants = [].concat(want);
    await page.waitForFunction(([w, f]) => {
      const s = document.body.dataset.step;
      return w.includes(s) || (f && s !== f) || document.getElementById('message').classList.contains('error');
    }, [wants, from], { timeout: WAIT }).catch(() => {});
    const now = await step();
    if (!wants.includes(now)) {
      fail(`${what}: expected step ${wants.join(' or ')}, the page is at "${now}" (message: "${await message()}")`);
    }
    return now;
  }
  // The one visible element for a selector, in the current step (or the header).
  const visible = sel => page.locator(`${sel}:visible`).first();
  async function click(sel, what) {
    const loc = visible(sel);
    try { await loc.waitFor({ state: 'visible', timeout: WAIT }); } catch {
      fail(`${what}: no visible ${sel} at step "${await step()}" (message: "${await message()}")`);
    }
    await loc.click({ timeout: WAIT });
  }
  const inputsEmpty = () => page.evaluate(() =>
    Array.from(document.querySelectorAll('input, textarea')).every(e => (e.type === 'checkbox' ? !e.checked : e.value === '')) &&
    document.querySelectorAll('#thumbs li, #summary div, #dup-list > *, #kb-list > *').length === 0);
  const receiptOf = async what => {
    const code = (await page.locator('#receipt-code').innerText()).trim();
    const bare = code.replace(/[\s-]/g, '');
    if (!/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/.test(bare)) fail(`${what}: #receipt-code is "${code}", not a 12-character receipt code`);
    return code;
  };

  // a. Start, language switch.
  await page.goto(url, { waitUntil: 'load', timeout: WAIT });
  await waitStep('start', 'opening the kiosk');
  await page.waitForFunction(() => document.querySelector('#kinds [data-kind]'), null, { timeout: WAIT })
    .catch(() => fail('the kind buttons never appeared: GET /api/config failed?'));
  await shot('start.png');
  const hygiene = await page.evaluate(() => ({
    forms: document.querySelectorAll('form').length,
    noAutocomplete: Array.from(document.querySelectorAll('input, textarea')).filter(e => e.getAttribute('autocomplete') !== 'off').map(e => e.id),
    unlabelled: Array.from(document.querySelectorAll('input, textarea')).filter(e => !e.labels || e.labels.length === 0).map(e => e.id),
    phone: [document.getElementById('phone').getAttribute('inputmode'), document.getElementById('phone').hasAttribute('name')],
  }));
  if (hygiene.forms) fail('the page has a <form> element');
  if (hygiene.noAutocomplete.length) fail(`inputs without autocomplete="off": ${hygiene.noAutocomplete.join(', ')}`);
  if (hygiene.unlabelled.length) fail(`inputs without a <label>: ${hygiene.unlabelled.join(', ')}`);
  if (hygiene.phone[0] !== 'tel' || hygiene.phone[1]) fail('#phone must have inputmode="tel" and no name attribute');
  const langOf = () => page.evaluate(() => document.documentElement.lang);
  const newText = () => visible('[data-action="new"]').innerText();
  if (!(await langOf()).startsWith('zh')) fail(`<html lang> is "${await langOf()}", not Chinese`);
  if (!(await newText()).includes('我要反映')) fail(`the "new" button reads "${await newText()}", not 我要反映`);
  await click('#lang', 'switching to English');
  if ((await langOf()) !== 'en') fail(`after switching to English <html lang> is "${await langOf()}"`);
  if (!(await newText()).includes('Submit a request')) fail(`in English the "new" button reads "${await newText()}"`);
  await click('#lang', 'switching back to Chinese');
  if (!(await langOf()).startsWith('zh')) fail(`after switching back <html lang> is "${await langOf()}"`);
  if (!(await newText()).includes('我要反映')) fail('switching back did not bring the Chinese text back');

  // b. Instant answer from the knowledge base.
  await click('[data-action="new"]', 'instant answer: new');
  await waitStep('kind', 'instant answer: after "new"', 'start');
  await click('[data-kind="inquiry"]', 'instant answer: kind inquiry');
  await waitStep('describe', 'instant answer: after choosing the kind', 'kind');
  await page.locator('#text').fill(kbQuery);
  try { await visible('.kb-hit').waitFor({ state: 'visible', timeout: WAIT }); } catch {
    fail(`no .kb-hit appeared for KB_QUERY "${kbQuery}" (message: "${await message()}")`);
  }
  const more = visible('.kb-hit .kb-more');
  if (await more.count()) await more.click();
  await shot('describe.png');
  await click('.kb-take', 'instant answer: take the suggestion');
  await waitStep('receipt', 'instant answer: after taking the suggestion', 'describe');
  const answeredReceipt = await receiptOf('instant answer');
  if (!(await page.locator('#receipt-notes [data-note="answered"]').count())) fail('the instant answer receipt does not say it was answered on the spot');
  if (!(await inputsEmpty())) fail('after the instant answer the draft (inputs, suggestions) was not cleared');
  await shot('answered.png');
  await click('[data-action="done"]', 'instant answer: done');
  await waitStep('start', 'after "done"');

  // c. The full flow of a complaint.
  await click('[data-action="new"]', 'complaint: new');
  await waitStep('kind', 'complaint: after "new"', 'start');
  await shot('kind.png');
  await click('[data-kind="complaint"]', 'complaint: kind');
  await waitStep('describe', 'complaint: after choosing the kind', 'kind');
  await page.locator('#text').fill(text);
  await click('[data-action="next"]', 'complaint: describe → next');
  await waitStep('place', 'complaint: after the description', 'describe');
  await page.locator('#address').fill(address);
  await shot('place.png');
  await click('[data-action="next"]', 'complaint: place → next');
  await waitStep('photos', 'complaint: after the place', 'place');
  await page.locator('#photos').setInputFiles(photo);
  try { await visible('#thumbs img').waitFor({ state: 'visible', timeout: WAIT }); } catch {
    fail(`no thumbnail appeared after choosing PHOTO (message: "${await message()}")`);
  }
  await page.waitForFunction(() => { const i = document.querySelector('#thumbs img'); return i && i.complete && i.naturalWidth > 0; }, null, { timeout: WAIT })
    .catch(() => fail('the thumbnail never loaded'));
  await shot('photos.png');
  await click('[data-action="next"]', 'complaint: photos → next');
  await waitStep('contact', 'complaint: after the photos', 'photos');
  await page.locator('#name').fill(name);
  await page.locator('#phone').fill(phone);
  if (await page.locator('#confidential').isChecked()) fail('#confidential is on by default');
  await shot('contact.png');
  await click('[data-action="next"]', 'complaint: contact → next');
  let joined = false;
  const after = await waitStep(expectDuplicate ? 'duplicates' : ['duplicates', 'review'], 'complaint: after the contact', 'contact');
  if (after === 'duplicates') {
    try { await visible('.dup-candidate').waitFor({ state: 'visible', timeout: WAIT }); } catch { fail('the duplicates step shows no .dup-candidate'); }
    await shot('duplicates.png');
    if (expectDuplicate) {
      if (!(await visible('.dup-join').count())) fail('EXPECT_DUPLICATE=1 but no candidate offers .dup-join');
      await click('.dup-join', 'complaint: join the earlier matter');
    } else {
      await click('[data-action="separate"]', 'complaint: a different matter');
    }
  }
  await waitStep('review', 'complaint: review', after === 'duplicates' ? 'duplicates' : undefined);
  const shown = await page.evaluate(() => ({ text: document.body.innerText, html: document.documentElement.outerHTML, summary: document.getElementById('summary').innerText }));
  const phoneDigits = phone.replace(/\D/g, '');
  if (shown.text.includes(phone) || shown.html.includes(phone) || shown.text.replace(/\D/g, '').includes(phoneDigits)) fail('the review page shows the phone number in full');
  if (!shown.summary.includes(phoneDigits.slice(-4))) fail('the review does not show the last 4 digits of the phone number');
  if (!shown.summary.includes(address)) fail('the review does not show the place');
  await shot('review.png');
  await click('[data-action="submit"]', 'complaint: submit');
  await waitStep('receipt', 'complaint: after submitting', 'review');
  const receipt = await receiptOf('complaint');
  if (!(await page.locator('#receipt-qr svg').count())) fail('#receipt-qr holds no <svg>');
  joined = (await page.locator('section[data-step="receipt"]').getAttribute('data-joined')) === 'true';
  if (expectDuplicate && !joined) fail('the complaint was not joined to the earlier matter');
  if (!(await inputsEmpty())) fail('after submitting the draft (inputs, photos, summary) was not cleared');
  await shot('receipt.png');

  // d. Status lookup.
  await click('[data-action="done"]', 'after the receipt: done');
  await waitStep('start', 'after "done"');
  await click('[data-action="lookup"]', 'lookup');
  await waitStep('lookup', 'after "lookup"', 'start');
  await page.locator('#lookup-code').fill(receipt);
  await click('[data-action="lookup-go"]', 'lookup: go');
  await page.waitForFunction(() => document.getElementById('lookup-result').innerText.trim() !== '', null, { timeout: WAIT })
    .catch(async () => fail(`#lookup-result stayed empty (message: "${await message()}")`));
  const lookupText = (await page.locator('#lookup-result').innerText()).trim();
  const lookupOffline = (await page.locator('#lookup-result').getAttribute('data-offline')) === 'true';
  await shot('lookup.png');

  // e. Idle wipe of a draft.
  await click('[data-action="back"]', 'lookup: back');
  await waitStep('start', 'lookup: after back');
  await click('[data-action="new"]', 'idle: new');
  await waitStep('kind', 'idle: after "new"');
  await click('[data-kind="complaint"]', 'idle: kind');
  await waitStep('describe', 'idle: after choosing the kind');
  await page.locator('#text').fill('IDLE-DRAFT-测试');
  await page.waitForTimeout((idleSeconds + 2) * 1000);
  if ((await step()) !== 'start') fail(`after ${idleSeconds + 2} s idle the page is at "${await step()}", not start`);
  if (!(await message()).includes('已清空')) fail(`the idle wipe did not say 已清空 (message: "${await message()}")`);
  if ((await page.content()).includes('IDLE-DRAFT')) fail('the idle draft is still in the page');
  await shot('idle.png');
  await click('[data-action="new"]', 'idle: new again');
  await waitStep('kind', 'idle: after "new" again');
  await click('[data-kind="complaint"]', 'idle: kind again');
  await waitStep('describe', 'idle: describe again');
  const left = await page.locator('#text').inputValue();
  if (left !== '') fail(`after the idle wipe #text still holds "${left}"`);
  await click('[data-action="home"]', 'idle: end and clear');
  await waitStep('start', 'idle: after "end and clear"');

  // f. Nothing kept by the browser.
  const kept = await page.evaluate(async () => ({
    local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
    idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
  }));
  if (kept.local !== 0 || kept.session !== 0) fail(`web storage is not empty: localStorage ${kept.local}, sessionStorage ${kept.session}`);
  if (kept.cookie !== '') fail(`document.cookie is "${kept.cookie}"`);
  if (kept.idb !== 0) fail(`IndexedDB holds ${kept.idb} databases`);
  if (pageErrors.length) fail(`the page reported errors: ${pageErrors.join(' | ')}`);
  await context.close();
  context = null;

  // g. The result.
  process.stdout.write(JSON.stringify({
    answered_receipt: answeredReceipt, receipt, joined, lookup_text: lookupText, lookup_offline: lookupOffline, idle_wiped: true,
  }) + '\n');
}

main().then(() => process.exit(0), async e => {
  process.stderr.write(`kiosk e2e: FAILED: ${e instanceof Unmet ? e.message : (e && e.stack) || e}\n`);
  if (context) await context.close().catch(() => {});
  process.exit(1);
});
