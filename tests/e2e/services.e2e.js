// The operator portal's service gateway pages end to end (issue 8), run by portal.test.js in its
// region, as its signed-in operator: a service registered in the page, its secrets read from
// the page (and gone on reload); the permission matrix connecting it at one facility with
// notify=data and its type information (Encounter, every element; Patient, name and birthDate),
// exactly as GET /v1/matrix then holds it; `renkei example-service reception` as the service's
// receiver with those secrets, its webhook set in the page; a reception written at the facility
// reaching it filtered to the types, delivered as the service's page shows, retried and
// replayed from the page; disconnected in the matrix, a further change reaches nothing;
// disabled, its token is refused. Every page: axe-core, no console errors, no sideways
// scrolling on tablets; screenshots of the list, a service's page and the matrix.

import {test, after} from 'node:test';
import assert from 'node:assert/strict';
import {ExampleService, eventually} from './lib/receiver.js';

// Top-level elements a Patient granted with `elements` may carry (gateway/filter.h keeps
// resourceType, id and meta besides).
const ALWAYS = ['resourceType', 'id', 'meta'];

function assertFiltered(entries, grant, what) {
  const allowed = new Map(grant.map((x) => [x.type, x.elements || null]));
  for (const e of entries) {
    const r = e.resource;
    assert.ok(allowed.has(r.resourceType), `${what}: ${r.resourceType} is not a granted type`);
    const elements = allowed.get(r.resourceType);
    if (elements) {
      const extra = Object.keys(r).filter((k) => !ALWAYS.includes(k) && !elements.includes(k));
      assert.deepEqual(extra, [], `${what}: ${r.resourceType} carries elements beyond ${elements}`);
    }
  }
}

// env: {region(), person(login, options), ctx}
export function serviceGatewayTests(env) {
  const s = {};  // what one test finds for the next
  const services = [];
  after(async () => {
    for (const x of services) await x.stop().catch(() => {});
  });

  // The operator's tab (signed in by the operator's test, or here when run alone).
  const operator = async () => {
    const op = await env.person('operator', {viewport: {width: 1280, height: 900}});
    if (await op.page.locator('.who-name').count() === 0) await op.signIn();
    return op;
  };
  const origin = () => env.region().url;

  test('operator: a service registered in the page; its client and signing secrets shown once', async () => {
    const region = env.region();
    const op = await operator();
    const p = op.page;
    await p.click('a[href="#/op/services"]');
    await p.waitForSelector('form.service-form');
    await p.waitForSelector('.services-list .table-wrap');
    const name = 'e2e-reception';
    await p.fill('form.service-form input[name=name]', name);
    await p.click('form.service-form button[type=submit]');
    await p.waitForSelector('.secrets code.client-secret');
    const shown = {
      client_id: (await p.textContent('.secrets code.client-id')).trim(),
      client_secret: (await p.textContent('.secrets code.client-secret')).trim(),
      signing_secret: (await p.textContent('.secrets code.signing-secret')).trim(),
    };
    assert.ok(shown.client_secret && shown.signing_secret, 'both secrets are shown');
    // The page's focus is on the news, and it says they will not be shown again.
    assert.ok(await p.evaluate(() => document.activeElement && document.activeElement.closest('.secrets') !== null), 'focus moves to the secrets');
    assert.match(await p.innerText('.secrets .once'), /今回だけ/);
    // The service is the hub's, with the client ID shown.
    const list = await region.api('operator', 'GET', '/services');
    const service = list.body.services.find((x) => x.name === name);
    assert.ok(service, 'the hub has the service');
    assert.equal(service.client_id, shown.client_id);
    assert.equal(service.enabled, true);
    // The client secret shown is the one the hub accepts (OAuth2 client credentials).
    const token = await fetch(`${origin()}/v1/oauth/token`, {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: 'client_credentials', client_id: shown.client_id, client_secret: shown.client_secret})});
    assert.equal(token.status, 200, 'the hub takes the client secret the page showed');
    // Offered as files made in the page.
    for (const suffix of ['.client-secret', '.signing-secret', '-credentials.json']) {
      assert.match(await p.getAttribute(`.secrets a[download="${name}${suffix}"]`, 'href'), /^blob:/, `${suffix} offered as a file`);
    }
    await op.assertAccessible('service secrets');
    await op.assertFitsTablets('service secrets');
    // A reload does not show them again, and the page kept them nowhere.
    await p.reload();
    await p.waitForSelector(`table.services tr[data-service="${service.id}"]`);
    assert.equal(await p.locator('.secrets').count(), 0, 'no secrets after a reload');
    const page = await p.content();
    const storage = await p.evaluate(() => JSON.stringify({...sessionStorage}) + JSON.stringify({...localStorage}));
    for (const secret of [shown.client_secret, shown.signing_secret]) {
      assert.ok(!page.includes(secret) && !storage.includes(secret), 'the secret is gone from the page and kept in no storage');
    }
    // The list as the hub answers it.
    const row = p.locator(`table.services tr[data-service="${service.id}"]`);
    assert.match(await row.innerText(), new RegExp(shown.client_id));
    await op.assertAccessible('services');
    await op.assertFitsTablets('services');
    await op.screenshot('18-operator-services');
    await op.assertNoConsoleErrors('services');
    Object.assign(s, {service, shown});
  });

  test('operator: the matrix connects it at one facility, notify=data, Encounter and Patient (name, birthDate); the hub\'s validation shown on the type', async () => {
    assert.ok(s.service, 'the service of the previous test');
    const region = env.region();
    const op = await operator();
    const p = op.page;
    const facility = env.ctx.facility;
    const facilities = (await region.api('operator', 'GET', '/facilities')).body.facilities;
    const facilityName = facilities.find((f) => f.facility === facility).name;
    await p.click('a[href="#/op/matrix"]');
    await p.waitForSelector('table.matrix');
    // Every facility of the directory is a row, every service a column.
    const all = (await region.api('operator', 'GET', '/services')).body.services;
    const rows = await p.$$eval('table.matrix tbody tr', (r) => r.map((x) => x.dataset.facility));
    for (const f of facilities) assert.ok(rows.includes(f.facility), `a row for ${f.facility}`);
    const columns = await p.$$eval('table.matrix thead th[data-service]', (c) => c.map((x) => x.dataset.service));
    assert.deepEqual(columns, all.map((x) => x.id));
    await op.assertAccessible('matrix');
    await op.assertFitsTablets('matrix');
    // The cell is named by its row and column headers ("facility × service").
    const target = `button.cell-button[data-facility="${facility}"][data-service="${s.service.id}"]`;
    const headers = await p.$eval(target, (b) => {
      const td = b.closest('td');
      const tr = td.parentElement;
      const column = [...tr.children].indexOf(td);
      const th = tr.querySelector('th[scope=row]');
      const col = td.closest('table').tHead.rows[0].children[column];
      return {row: th.textContent, column: col.getAttribute('scope') === 'col' ? col.textContent : ''};
    });
    assert.ok(headers.row.includes(facilityName), 'the row header names the facility');
    assert.ok(headers.column.includes(s.service.name), 'the column header names the service');
    // By keyboard alone: from the first cell, the arrow keys reach it and Enter opens it.
    await p.focus('table.matrix tbody tr:first-child button.cell-button');
    const at = () => p.evaluate(() => `${document.activeElement.dataset.facility}/${document.activeElement.dataset.service}`);
    for (let i = 0; i < 50 && (await at()).split('/')[1] !== s.service.id; i += 1) await p.keyboard.press('ArrowRight');
    for (let i = 0; i < 50 && (await at()).split('/')[0] !== facility; i += 1) await p.keyboard.press('ArrowDown');
    assert.equal(await at(), `${facility}/${s.service.id}`, 'the arrow keys reach the cell');
    await p.keyboard.press('Enter');
    const editor = 'dialog.matrix-editor[open]';
    await p.waitForSelector(editor);
    assert.match(await p.innerText(`${editor} h2`), new RegExp(`${facilityName}.*${s.service.name}`));
    await p.check(`${editor} input[type=radio][value=data]`);
    await p.check(`${editor} li[data-type=Encounter] input[name=type]`);
    await p.check(`${editor} li[data-type=Patient] input[name=type]`);
    await p.check(`${editor} li[data-type=Patient] input[value=some]`);
    // A malformed element name: the hub refuses it, and the page says so on that type.
    op.expectHttpError(400, /^\/v1\/matrix\//);
    await p.fill(`${editor} li[data-type=Patient] input[name=elements]`, 'name, birth-date');
    await p.click(`${editor} button[data-action=save]`);
    await p.waitForSelector(`${editor} li[data-type=Patient] .row-error:not([hidden])`);
    const refused = await region.api('operator', 'PUT', `/matrix/${facility}/${s.service.id}`,
      {notify: 'data', types: [{type: 'Patient', elements: ['name', 'birth-date']}, {type: 'Encounter'}]});
    assert.equal(refused.status, 400);
    const why = refused.body.error.message.replace(/^'types'\[\d+\]:\s*/, '');
    assert.ok((await p.innerText(`${editor} .form-problems`)).includes(refused.body.error.message), 'the hub\'s message, as it words it');
    assert.ok((await p.innerText(`${editor} li[data-type=Patient] .row-error`)).includes(why), 'and on the type it is about');
    assert.equal(await p.getAttribute(`${editor} li[data-type=Patient] input[name=elements]`, 'aria-invalid'), 'true');
    assert.equal(await p.evaluate(() => document.activeElement.name), 'elements', 'the keyboard is on the field to fix');
    assert.equal((await region.api('operator', 'GET', `/matrix?service=${s.service.id}`)).body.grants.length, 0, 'nothing was kept');
    await op.assertAccessible('matrix editor, refused');
    await p.fill(`${editor} li[data-type=Patient] input[name=elements]`, 'name, birthDate');
    await op.screenshot('19-operator-matrix-editor');
    await p.click(`${editor} button[data-action=save]`);
    await p.waitForSelector('dialog.matrix-editor', {state: 'detached'});
    await p.waitForSelector(`td.cell.connected[data-facility="${facility}"][data-service="${s.service.id}"]`);
    assert.equal(await p.evaluate(() => `${document.activeElement.dataset.facility}/${document.activeElement.dataset.service}`),
      `${facility}/${s.service.id}`, 'the keyboard is back on the cell');
    // The hub holds exactly that grant for the service.
    const grants = (await region.api('operator', 'GET', `/matrix?service=${s.service.id}`)).body.grants;
    assert.deepEqual(grants.map((g) => ({facility: g.facility, service: g.service, notify: g.notify, types: g.types})),
      [{facility, service: s.service.id, notify: 'data', types: [{type: 'Encounter'}, {type: 'Patient', elements: ['birthDate', 'name']}]}]);
    const cell = p.locator(`td.cell[data-facility="${facility}"][data-service="${s.service.id}"]`);
    assert.equal(await cell.getAttribute('data-notify'), 'data');
    assert.equal(await cell.getAttribute('data-types'), String(grants[0].types.length));
    // The filter keeps the facilities whose name or code holds the text.
    await p.fill('input[name=facility-filter]', facilityName);
    const visible = await p.$$eval('table.matrix tbody tr', (r) => r.filter((x) => !x.hidden).map((x) => x.dataset.facility));
    assert.deepEqual(visible, rows.filter((code) => code.includes(facilityName) ||
      (facilities.find((f) => f.facility === code) || {name: code}).name.includes(facilityName)));
    await p.fill('input[name=facility-filter]', '');
    await op.assertAccessible('matrix');
    await op.assertFitsTablets('matrix');
    await op.screenshot('20-operator-matrix');
    // In English too.
    await p.click('button.lang-toggle');
    await p.waitForFunction(() => document.documentElement.lang === 'en');
    await p.waitForSelector('table.matrix');
    assert.match(await p.innerText('table.matrix caption'), /Permission matrix/);
    assert.match(await cell.innerText(), /connected/);
    await op.assertAccessible('matrix in English');
    await p.click('button.lang-toggle');
    await p.waitForFunction(() => document.documentElement.lang === 'ja');
    await op.assertNoConsoleErrors('matrix');
    Object.assign(s, {facility, grant: grants[0].types});
  });

  test('the example service receives a reception at that facility filtered to its types; the service\'s page shows it delivered, retries and replays it', async () => {
    assert.ok(s.grant, 'the grant of the previous test');
    const region = env.region();
    const op = await operator();
    const p = op.page;
    const receiver = new ExampleService(origin(), s.shown);
    services.push(receiver);
    const webhook = await receiver.listen();
    // The webhook is set in the service's page.
    await p.click('a[href="#/op/services"]');
    await p.click(`table.services tr[data-service="${s.service.id}"] a`);
    await p.waitForSelector('form.webhook-form');
    await p.fill('form.webhook-form input[name=webhook_url]', webhook);
    await p.click('form.webhook-form button[type=submit]');
    await p.waitForFunction((url) => (document.querySelector('.webhook-now') || {}).textContent === url, webhook);
    assert.equal((await region.api('operator', 'GET', `/services/${s.service.id}`)).body.service.webhook_url, webhook);
    // A change at the facility: the service writes a reception there.
    const localId = env.ctx.localId;
    const reason = `e2e 受付 ${Date.now()}`;
    const answer = await receiver.receive(s.facility, localId, reason);
    assert.equal(answer.outcome, 'created', JSON.stringify(answer).slice(0, 500));
    assertFiltered(answer.resources, s.grant, 'the write\'s answer');
    assert.ok(answer.resources.some((e) => e.resource.resourceType === 'Patient'), 'the answer holds the demographics the types allow');
    // The notification: the changed data itself, cut to the types.
    const note = await receiver.waitFor((n) => n.change && n.change.record_id === answer.record.record_id, 'notification of the reception');
    assert.equal(note.facility, s.facility);
    assert.equal(note.mode, 'data');
    assert.equal(note.patient.local_id, localId);
    assert.ok(note.resources.length > 0, 'data mode carries the changed resources');
    assertFiltered(note.resources, s.grant, 'the notification');
    assert.ok(note.resources.some((e) => e.resource.resourceType === 'Encounter' && JSON.stringify(e.resource.reasonCode || []).includes(reason)),
      'the reception written is what arrived');
    // The service's page shows it delivered, as the hub has it.
    const delivered = await eventually(async () => {
      const r = await region.api('operator', 'GET', `/services/${s.service.id}/deliveries?state=delivered`);
      return r.body.deliveries.find((d) => d.idempotency_key === note.idempotency_key);
    }, 'the delivery recorded as delivered');
    await p.click('.service-deliveries a[data-state=delivered]');
    const row = `table.deliveries tr[data-delivery="${delivered.id}"]`;
    await p.waitForSelector(`${row}[data-state=delivered]`);
    assert.match(await p.innerText(row), new RegExp(note.idempotency_key));
    const counts = (await region.api('operator', 'GET', `/services/${s.service.id}`)).body.deliveries;
    assert.match(await p.innerText('.service-deliveries a[data-state=delivered]'), new RegExp(`\\(${counts.delivered}\\)`),
      'the filter shows the hub\'s count');
    const shownRows = await p.$$eval('table.deliveries tbody tr[data-delivery]', (r) => r.map((x) => Number(x.dataset.delivery)));
    const listed = (await region.api('operator', 'GET', `/services/${s.service.id}/deliveries?state=delivered&limit=50`)).body.deliveries;
    assert.deepEqual(shownRows, listed.map((d) => d.id), 'the page lists what the hub answers, newest first');
    // The grant is on the service's page.
    assert.match(await p.innerText(`.service-grants tr[data-facility="${s.facility}"]`), /birthDate/);
    await op.assertAccessible('service page');
    await op.assertFitsTablets('service page');
    await op.screenshot('21-operator-service');
    // In English too (every label holds the words it shows).
    await p.click('button.lang-toggle');
    await p.waitForFunction(() => document.documentElement.lang === 'en');
    await p.waitForSelector(`${row}[data-state=delivered]`);
    assert.match(await p.innerText('.service-deliveries h2'), /Deliveries/);
    await op.assertAccessible('service page in English');
    await p.click('button.lang-toggle');
    await p.waitForFunction(() => document.documentElement.lang === 'ja');
    await p.waitForSelector(`${row}[data-state=delivered]`);
    // Retry one: sent again (the receiver keeps one of each key).
    await p.click(`${row} button`);
    await eventually(async () => {
      const r = await region.api('operator', 'GET', `/services/${s.service.id}/deliveries?state=delivered`);
      const d = r.body.deliveries.find((x) => x.id === delivered.id);
      return d && d.attempts > delivered.attempts;
    }, 'the retried delivery delivered again');
    // Replay since before the service existed: every delivery that is not pending, as the page says.
    const before = (await region.api('operator', 'GET', `/services/${s.service.id}/deliveries?limit=1000`)).body.deliveries;
    const since = Date.parse(s.service.created_at) - 120000;
    const expected = before.filter((d) => d.state !== 'pending' && Date.parse(d.created_at) >= since - (since % 60000)).length;
    assert.ok(expected > 0);
    const local = await p.evaluate((ms) => {
      const d = new Date(ms);
      const pad = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }, since);
    await p.fill('form.replay-form input[name=since]', local);
    await p.click('form.replay-form button[type=submit]');
    await p.waitForSelector('.replay-result .notice.ok');
    assert.match(await p.innerText('.replay-result'), new RegExp(`${expected}件`));
    await eventually(async () => {
      const r = await region.api('operator', 'GET', `/services/${s.service.id}`);
      return !r.body.deliveries.pending;
    }, 'the replayed deliveries delivered');
    assert.equal(receiver.notifications.filter((n) => n.idempotency_key === note.idempotency_key).length, 1,
      'the receiver took each idempotency key once');
    await op.assertNoConsoleErrors('service page');
    Object.assign(s, {receiver, localId});
  });

  test('disconnected in the matrix, a further change reaches nothing; disabled, the service\'s token is refused', async () => {
    assert.ok(s.receiver, 'the receiver of the previous test');
    const region = env.region();
    const op = await operator();
    const p = op.page;
    // Disconnect in the matrix, confirmed.
    await p.click('a[href="#/op/matrix"]');
    await p.click(`button.cell-button[data-facility="${s.facility}"][data-service="${s.service.id}"]`);
    await p.waitForSelector('dialog.matrix-editor[open]');
    await p.click('dialog.matrix-editor button[data-action=disconnect]');
    await p.waitForSelector('dialog.confirm-dialog[open]');
    await op.assertAccessible('disconnect confirmation');
    await p.click('dialog.confirm-dialog button[data-answer=yes]');
    await p.waitForSelector(`td.cell.not-connected[data-facility="${s.facility}"][data-service="${s.service.id}"]`);
    assert.deepEqual((await region.api('operator', 'GET', `/matrix?service=${s.service.id}`)).body.grants, []);
    // A further change at the facility, made by another service connected there (its own
    // deliveries show when the change has been fanned out).
    const added = await region.api('operator', 'POST', '/services', {name: 'e2e-observer', client_credentials: true});
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const observerId = added.body.service.id;
    const granted = await region.api('operator', 'PUT', `/matrix/${s.facility}/${observerId}`, {notify: 'signal', types: [{type: 'Encounter'}]});
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    const observer = new ExampleService(origin(), {client_id: added.body.service.client_id, client_secret: added.body.client_secret});
    services.push(observer);
    const answer = await observer.receive(s.facility, s.localId, 'e2e 切断後の受付');
    assert.equal(answer.outcome, 'created');
    const fanned = await eventually(async () => {
      const r = await region.api('operator', 'GET', `/services/${observerId}/deliveries`);
      return r.body.deliveries.find((d) => d.change.record_id === answer.record.record_id);
    }, 'the change fanned out to the connected service');
    const mine = (await region.api('operator', 'GET', `/services/${s.service.id}/deliveries?limit=1000`)).body.deliveries;
    assert.ok(!mine.some((d) => d.change.seq === fanned.change.seq && d.facility === s.facility), 'no delivery of the change for the disconnected service');
    assert.ok(!s.receiver.notifications.some((n) => n.change && n.change.record_id === answer.record.record_id), 'the receiver got nothing of it');
    await op.assertNoConsoleErrors('disconnect');

    // Disable it in the list, confirmed: its token is refused at once, and no new one is issued.
    const form = new URLSearchParams({grant_type: 'client_credentials', client_id: s.shown.client_id, client_secret: s.shown.client_secret});
    const tokenAnswer = await fetch(`${origin()}/v1/oauth/token`, {method: 'POST', body: form,
      headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
    assert.equal(tokenAnswer.status, 200);
    const {access_token: token} = await tokenAnswer.json();
    const asService = () => fetch(`${origin()}/v1/services/${s.service.id}/deliveries`, {headers: {Authorization: `Bearer ${token}`}});
    assert.equal((await asService()).status, 200, 'the token works while the service is enabled');
    await p.click('a[href="#/op/services"]');
    const button = `table.services tr[data-service="${s.service.id}"] button[data-action=disable]`;
    await p.click(button);
    await p.waitForSelector('dialog.confirm-dialog[open]');
    // "Cancel" first: nothing changes.
    await p.click('dialog.confirm-dialog button[data-answer=no]');
    await p.waitForSelector('dialog.confirm-dialog', {state: 'detached'});
    assert.equal((await region.api('operator', 'GET', `/services/${s.service.id}`)).body.service.enabled, true);
    await p.click(button);
    await p.waitForSelector('dialog.confirm-dialog[open]');
    await op.assertAccessible('disable confirmation');
    await p.click('dialog.confirm-dialog button[data-answer=yes]');
    await p.waitForSelector(`table.services tr.disabled[data-service="${s.service.id}"] button[data-action=enable]`);
    assert.equal((await region.api('operator', 'GET', `/services/${s.service.id}`)).body.service.enabled, false);
    assert.equal((await asService()).status, 401, 'the token is refused once the service is disabled');
    const again = await fetch(`${origin()}/v1/oauth/token`, {method: 'POST', body: form, headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
    assert.equal(again.status, 401, 'and no new token is issued');
    await op.assertAccessible('services, one disabled');
    await op.assertNoConsoleErrors('disable');
  });
}
