import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sendDueAlerts, recoverBuilding } from '../../jobs/alerts.js';
import { smtpMailer } from '../../src/mail/smtp.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { testDeps } from '../support/helpers.js';
import { addLot, addMatch, addSupplier, addTender, header, startSmtp } from '../support/alerts-seed.js';

const ENV = { UNSUBSCRIBE_SECRET: 'alerts-test-secret-0123456789', PUBLIC_BASE_URL: 'https://tendermatch.example', MAIL_FROM: 'tendermatch <alerts@tendermatch.example>', ADMIN_KEY: 'admin-key-0123456789abcdef' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response) => (await r.json()) as any;

let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
let mailer: Mailer | undefined;
afterEach(async () => {
  await mailer?.close();
  await smtp?.close();
  smtp = undefined;
  mailer = undefined;
});

async function setup(answer?: (n: number, to: string) => { code: number; message: string } | undefined) {
  smtp = await startSmtp({ answer });
  mailer = smtpMailer({ url: smtp.url, from: ENV.MAIL_FROM, ratePerSecond: 1000 });
  const deps = await testDeps({ mailer, env: ENV });
  return { deps, smtp, db: deps.db };
}

describe('sendDueAlerts against a real SMTP server', () => {
  it('sends one digest per supplier, best first, only open tenders above the threshold, and never twice', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 'coop', name: 'Cherwell Training Co-op', email: 'hello@cherwell.test' });
    await addSupplier(db, { id: 'solo', name: 'Banbury Kayaks Ltd', email: 'sales@banbury.test' });
    await addSupplier(db, { id: 'noaddr', email: null });
    await addTender(db, { ocid: 'ocds-1', title: 'Oxfordshire Domestic Abuse Training Service', value: 225000, regions: ['South East'] });
    await addTender(db, { ocid: 'ocds-2', title: "Oxfordshire Domestic Abuse Champion's Network", value: 135000 });
    await addTender(db, { ocid: 'ocds-3', title: 'Soft Skills Training', buyer: 'Darlington Borough Council', deadline: '2026-11-20T23:59:59Z' });
    await addTender(db, { ocid: 'ocds-4', title: 'Website for Atom Valley', status: 'cancelled' });
    await addTender(db, { ocid: 'ocds-5', title: 'WWC Extreme Kayak Bridge', buyer: 'Lee Valley Regional Park Authority', value: null });
    await addLot(db, { ocid: 'ocds-5', lotId: '2', title: 'Bridge design', value: 40000 });
    await addMatch(db, { supplier: 'coop', ocid: 'ocds-1', score: 0.62, reasons: ['Your CPV 80000000 (Education and training services) fits this tender'] });
    await addMatch(db, { supplier: 'coop', ocid: 'ocds-2', score: 0.81 });
    await addMatch(db, { supplier: 'coop', ocid: 'ocds-3', score: 0.9 }); // closed: deadline passed
    await addMatch(db, { supplier: 'coop', ocid: 'ocds-4', score: 0.95 }); // cancelled
    await addMatch(db, { supplier: 'solo', ocid: 'ocds-5', lotId: '2', score: 0.5, reasons: ['The buyer is near you'] });
    await addMatch(db, { supplier: 'noaddr', ocid: 'ocds-1', score: 0.9 });

    const first = await sendDueAlerts(deps);
    expect(first).toMatchObject({ suppliers_due: 2, digests_queued: 2, entries_queued: 3, sent: 2, failed: 0, deferred: 0 });
    expect(smtp.received).toHaveLength(2);
    const coop = smtp.received.find((m) => m.to === 'hello@cherwell.test')!;
    expect(coop.parsed.subject).toBe("2 new tenders you could win – best: Oxfordshire Domestic Abuse Champion's Network (Oxfordshire County Council)");
    const text = coop.parsed.text!;
    expect(text.indexOf("Champion's Network")).toBeLessThan(text.indexOf('Domestic Abuse Training Service'));
    expect(text).toContain('Your CPV 80000000 (Education and training services) fits this tender');
    expect(text).toContain('Place: South East');
    expect(text).not.toContain('Soft Skills Training');
    expect(text).not.toContain('Atom Valley');
    expect(header(coop.raw, 'List-Unsubscribe')).toMatch(/^<https:\/\/tendermatch\.example\/unsubscribe\?token=u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>$/);
    expect(header(coop.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(coop.messageId).toMatch(/^<[0-9a-f-]+\.alert@tendermatch\.example>$/);
    const solo = smtp.received.find((m) => m.to === 'sales@banbury.test')!;
    expect(solo.parsed.subject).toContain('WWC Extreme Kayak Bridge (lot 2: Bridge design)');
    expect(solo.parsed.text).toContain('Value: £40,000');

    const outbox = await db.selectFrom('alert_outbox').selectAll().orderBy('supplier_id').execute();
    expect(outbox.map((o) => [o.supplier_id, o.status, o.attempts, o.message_id === coop.messageId || o.message_id === solo.messageId])).toEqual([
      ['coop', 'sent', 1, true],
      ['solo', 'sent', 1, true],
    ]);
    const told = await db.selectFrom('alert_items').select(['supplier_id', 'ocid', 'lot_id', 'kind']).orderBy('supplier_id').orderBy('ocid').execute();
    expect(told).toEqual([
      { supplier_id: 'coop', ocid: 'ocds-1', lot_id: '', kind: 'new' },
      { supplier_id: 'coop', ocid: 'ocds-2', lot_id: '', kind: 'new' },
      { supplier_id: 'solo', ocid: 'ocds-5', lot_id: '2', kind: 'new' },
    ]);

    // Same day, later: not due. Next day at 07:00 London: due, but nothing new to say.
    deps.clock.advance(3600_000);
    expect(await sendDueAlerts(deps)).toMatchObject({ suppliers_due: 0, sent: 0 });
    deps.clock.set('2026-11-25T07:01:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ suppliers_due: 2, digests_queued: 0, sent: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it('applies per-supplier preferences: threshold, words (title or description), places', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 's', name: 'Kidlington Facilities', email: 'ops@kidlington.test' });
    const titles = ['Soft Facilities Management Services', 'Cleaning Services Tender', 'Heating works', 'Email Security Solution', 'Metal Handrails for Domestic Properties'];
    for (const [i, title] of titles.entries()) {
      await addTender(db, { ocid: `o${i}`, title, description: i === 2 ? 'Bradwell Boiler Replacement at the health centre' : null, regions: i === 3 ? ['UKM71'] : ['UKJ14'] });
      await addMatch(db, { supplier: 's', ocid: `o${i}`, score: 0.9 - i * 0.1 });
    }
    await db
      .insertInto('alert_preferences')
      .values({
        supplier_id: 's', frequency: 'immediate', hour: 7, weekday: 1, timezone: 'Europe/London', min_score: 0.55, max_items: 3,
        include_words: '[]', exclude_words: '["boiler"]', places: '["TLJ"]', paused: 0, paused_reason: null, paused_at: null,
        unsubscribed_at: null, failures: 0, last_failure: null, last_checked_at: null, last_sent_at: null, created_at: 'x', updated_at: 'x',
      })
      .execute();
    const r = await sendDueAlerts(deps);
    expect(r).toMatchObject({ digests_queued: 1, entries_queued: 2, sent: 1 });
    const text = smtp.received[0].parsed.text!;
    expect(text).toContain('Soft Facilities Management Services');
    expect(text).toContain('Cleaning Services Tender');
    expect(text).not.toContain('Heating works'); // "boiler" is excluded, and only its description says it
    expect(text).not.toContain('Email Security'); // Scotland (UKM71) is outside TLJ
    expect(text).not.toContain('Metal Handrails'); // score 0.5 is under 0.55
    // immediate: the next run is due at once but has nothing new above the threshold
    expect(await sendDueAlerts(deps)).toMatchObject({ suppliers_due: 1, digests_queued: 0 });
  });

  it('uses tagged delivery places (ITL) to filter and to say where, and named places from the administrator', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 's', name: 'Witney Grounds', email: 'w@witney.test' });
    const tag = (ocid: string, code: string) => ({ ocid, lot_id: '', role: 'delivery', party_id: '', code, lad: '', lad_confidence: null, postcode: null, level: code.length - 2, method: 'code', confidence: 1, national: 0, raw: code, tagged_at: 'x' });
    await addTender(db, { ocid: 'oxon', title: 'Grounds maintenance, Oxford parks', regions: ['UKJ14'] });
    await addTender(db, { ocid: 'glas', title: 'Grounds maintenance, Glasgow', regions: ['UKM82'] });
    await addTender(db, { ocid: 'uk', title: 'National grounds maintenance framework' });
    await db.insertInto('tender_places').values([tag('oxon', 'TLJ14'), tag('glas', 'TLM82'), tag('uk', 'TL')]).execute();
    for (const ocid of ['oxon', 'glas', 'uk']) await addMatch(db, { supplier: 's', ocid, score: 0.7 });
    await db.insertInto('places').values({ name: 'Cotswolds patch', name_key: 'cotswolds patch', codes: '["TLJ1","TLK1"]', description: null, created_at: 'x', updated_at: 'x' }).execute();
    const app = createApp(deps);
    const put = await app.request('/suppliers/s/alerts', { method: 'PUT', headers: { authorization: 'Bearer key-s', 'content-type': 'application/json' }, body: JSON.stringify({ places: ['Cotswolds patch'] }) });
    expect(put.status).toBe(200);
    expect(await sendDueAlerts(deps)).toMatchObject({ entries_queued: 2, sent: 1 });
    const text = smtp.received[0].parsed.text!;
    expect(text).toContain('Grounds maintenance, Oxford parks');
    expect(text).toContain('Place: Oxfordshire');
    expect(text).toContain('National grounds maintenance framework');
    expect(text).toContain('Place: UK-wide');
    expect(text).not.toContain('Glasgow');
  });

  it('tells of a cancellation and a moved deadline once each, in the next email', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 's', name: 'Ipswich Heating', email: 'a@ipswich.test' });
    await addTender(db, { ocid: 'vent', title: 'Regent Theatre Back of House Ventilation & Cooling', buyer: 'Ipswich Borough Council', deadline: '2026-12-01T12:00:00Z' });
    await addTender(db, { ocid: 'boiler', title: 'Bradwell Boiler Replacement', deadline: '2026-12-02T12:00:00Z' });
    await addMatch(db, { supplier: 's', ocid: 'vent', score: 0.7 });
    await addMatch(db, { supplier: 's', ocid: 'boiler', score: 0.6 });
    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 1 });

    await db.updateTable('tenders').set({ deadline: '2026-12-08T12:00:00+00:00' }).where('ocid', '=', 'vent').execute();
    await db.updateTable('tenders').set({ status: 'cancelled' }).where('ocid', '=', 'boiler').execute();
    deps.clock.set('2026-11-25T07:00:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 1, entries_queued: 0, changes_queued: 2, sent: 1 });
    const update = smtp.received[1].parsed;
    expect(update.subject).toMatch(/^Update: /);
    expect(update.text).toContain('The buyer has cancelled this tender.');
    expect(update.text).toContain('The deadline has moved from Tue 1 December 2026, 12:00');
    expect(update.text).toContain('to Tue 8 December 2026, 12:00');
    expect(update.html).toContain('Ventilation &amp; Cooling');

    deps.clock.set('2026-11-26T07:00:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 0, sent: 0 });
    // and a second move is news again
    await db.updateTable('tenders').set({ deadline: '2026-12-15T12:00:00Z' }).where('ocid', '=', 'vent').execute();
    deps.clock.set('2026-11-27T07:00:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ changes_queued: 1, sent: 1 });
    expect(smtp.received[2].parsed.text).toContain('moved from Tue 8 December 2026, 12:00');
    expect(smtp.received).toHaveLength(3);
  });

  it('retries a 451 with backoff under the same Message-ID, then records it sent', async () => {
    const { deps, smtp, db } = await setup((n) => (n === 1 ? { code: 451, message: '4.3.0 mailbox busy, try later' } : undefined));
    await addSupplier(db, { id: 's', email: 'x@busy.test' });
    await addTender(db, { ocid: 't', title: 'Isle of Cumbrae CRS Fit Out Works' });
    await addMatch(db, { supplier: 's', ocid: 't', score: 0.7 });

    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 0, deferred: 1 });
    let row = await db.selectFrom('alert_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_code: 451, next_attempt_at: '2026-11-24T09:01:00.000Z' });
    expect(row.last_error).toContain('mailbox busy');
    expect(smtp.received).toHaveLength(0);

    deps.clock.advance(30_000); // not yet
    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 0, deferred: 0 });
    deps.clock.advance(31_000);
    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 1 });
    row = await db.selectFrom('alert_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_code: 250 });
    expect(smtp.received.map((m) => m.messageId)).toEqual([row.message_id]);
    expect(smtp.attempts()).toBe(2);
  });

  it('records 5xx refusals and, after repeated ones, pauses alerts with the reason shown on the supplier', async () => {
    const { deps, smtp, db } = await setup((_n, to) => (to === 'gone@nowhere.test' ? { code: 550, message: '5.1.1 no such user' } : undefined));
    await addSupplier(db, { id: 's', email: 'gone@nowhere.test', key: 'supplier-key-s' });
    const app = createApp(deps);
    for (let day = 0; day < 4; day++) {
      await addTender(db, { ocid: `t${day}`, title: `Domestic Abuse Support Service ${day}` });
      await addMatch(db, { supplier: 's', ocid: `t${day}`, score: 0.7 });
      deps.clock.set(`2026-11-${24 + day}T07:00:00Z`);
      await sendDueAlerts(deps);
    }
    const outbox = await db.selectFrom('alert_outbox').select(['status', 'last_code']).orderBy('created_at').execute();
    expect(outbox).toEqual([
      { status: 'failed', last_code: 550 },
      { status: 'failed', last_code: 550 },
      { status: 'failed', last_code: 550 },
    ]); // the fourth day is not queued: alerts are paused
    expect(smtp.received).toHaveLength(0);
    const res = await app.request('/suppliers/s/alerts', { headers: { authorization: 'Bearer supplier-key-s' } });
    expect(res.status).toBe(200);
    const body = (await json(res)) as any;
    expect(body.preferences.paused).toBe(true);
    expect(body.delivery.paused_reason).toContain('alerts to gone@nowhere.test paused after 3 deliveries in a row were refused');
    expect(body.delivery.paused_reason).toContain('550');
    expect(body.recent_messages[0]).toMatchObject({ status: 'failed', last_code: 550 });

    // The supplier fixes its address and resumes: the count resets and mail flows again.
    await db.updateTable('suppliers').set({ contact_email: 'new@nowhere.test' }).where('id', '=', 's').execute();
    const put = await app.request('/suppliers/s/alerts', { method: 'PUT', headers: { authorization: 'Bearer supplier-key-s', 'content-type': 'application/json' }, body: JSON.stringify({ paused: false }) });
    expect(put.status).toBe(200);
    expect((await json(put)).delivery).toMatchObject({ paused: false, paused_reason: null, refused_in_a_row: 0 });
    deps.clock.set('2026-11-29T07:00:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 1 });
    expect(smtp.received[0].to).toBe('new@nowhere.test');
  });

  it('finishes a digest a crash left half-written, and voids one whose tenders went elsewhere', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 's', email: 's@x.test' });
    await addTender(db, { ocid: 'a' });
    await addTender(db, { ocid: 'b' });
    await addMatch(db, { supplier: 's', ocid: 'a', score: 0.7 });
    await addMatch(db, { supplier: 's', ocid: 'b', score: 0.6 });
    const row = (id: string, keys: Array<{ ocid: string }>) => ({
      message_id: id, supplier_id: 's', to_address: 's@x.test', subject: `digest ${id}`, text_body: 't', html_body: '<p>h</p>', content: null, headers: '{}',
      item_keys: JSON.stringify(keys.map((k) => ({ ocid: k.ocid, lot_id: '', kind: 'new', score: 0.7, deadline: '2026-12-16T23:59:59.000Z' }))), item_count: keys.length,
      status: 'building', attempts: 0, next_attempt_at: '2026-11-24T09:00:00.000Z', last_attempt_at: null, last_code: null, last_error: null, created_at: '2026-11-24T08:59:00.000Z', sent_at: null,
    });
    // <m1> crashed before claiming its tenders; <m2> also lists "a", which <m1> claims first.
    await db.insertInto('alert_outbox').values([row('<m1@x>', [{ ocid: 'a' }]), row('<m2@x>', [{ ocid: 'a' }, { ocid: 'b' }])]).execute();
    expect(await recoverBuilding(deps)).toBe(2);
    const statuses = await db.selectFrom('alert_outbox').select(['message_id', 'status']).orderBy('message_id').execute();
    expect(statuses).toEqual([
      { message_id: '<m1@x>', status: 'pending' },
      { message_id: '<m2@x>', status: 'void' },
    ]);
    const r = await sendDueAlerts(deps);
    // m1 goes out; "b", released by the void message, comes in a fresh digest.
    expect(r).toMatchObject({ sent: 2, entries_queued: 1 });
    expect(smtp.received.map((m) => m.parsed.subject).sort()).toEqual(['1 new tender you could win – best: Tender b (Oxfordshire County Council)', 'digest <m1@x>']);
  });

  it('keeps messages pending, without counting against the address, while the server is unreachable', async () => {
    const { deps, smtp, db } = await setup();
    await addSupplier(db, { id: 'a', email: 'a@x.test' });
    await addSupplier(db, { id: 'b', email: 'b@x.test' });
    await addTender(db, { ocid: 't' });
    await addMatch(db, { supplier: 'a', ocid: 't', score: 0.7 });
    await addMatch(db, { supplier: 'b', ocid: 't', score: 0.7 });
    await smtp.close();
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 2, sent: 0, deferred: 1, failed: 0 });
    const rows = await db.selectFrom('alert_outbox').select(['status', 'attempts']).orderBy('attempts', 'desc').execute();
    expect(rows).toEqual([{ status: 'pending', attempts: 1 }, { status: 'pending', attempts: 0 }]);
    expect(await db.selectFrom('alert_preferences').select(['failures', 'paused']).execute()).toEqual([{ failures: 0, paused: 0 }, { failures: 0, paused: 0 }]);
  });

  it('only queues where the runtime cannot send (a Worker), leaving the outbox untouched for the Node service', async () => {
    const noMail = { kind: 'none', send: async () => ({ accepted: false, response: 'cannot send here' }), close: async () => {} };
    const deps = await testDeps({ env: ENV, mailer: noMail as never });
    await addSupplier(deps.db, { id: 'a', email: 'a@x.test' });
    await addTender(deps.db, { ocid: 't' });
    await addMatch(deps.db, { supplier: 'a', ocid: 't', score: 0.7 });
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 1, sent: 0, deferred: 0, transport: 'none' });
    expect(await deps.db.selectFrom('alert_outbox').select(['status', 'attempts']).execute()).toEqual([{ status: 'pending', attempts: 0 }]);
  });

  it('skips a run while another holds the lease', async () => {
    const { deps, db } = await setup();
    await db.insertInto('leases').values({ name: 'alerts', holder: 'someone-else', expires_at: '2026-11-24T09:05:00.000Z' }).execute();
    expect(await sendDueAlerts(deps)).toMatchObject({ skipped: 'another alert run is in progress' });
  });
});

describe('GET/PUT /suppliers/:id/alerts', () => {
  it('needs the supplier key or the admin key, validates, and stores preferences', async () => {
    const deps = await testDeps({ env: ENV });
    await addSupplier(deps.db, { id: 's', key: 'key-of-s' });
    await addSupplier(deps.db, { id: 'other', key: 'key-of-other' });
    const app = createApp(deps);
    const as = (key: string | null, init: RequestInit = {}) => ({ ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' } });

    expect((await app.request('/suppliers/s/alerts')).status).toBe(401);
    expect((await app.request('/suppliers/s/alerts', as('key-of-other'))).status).toBe(403);
    const get = await app.request('/suppliers/s/alerts', as('key-of-s'));
    expect(get.status).toBe(200);
    expect((await json(get)).preferences).toEqual({
      frequency: 'daily', hour: 7, weekday: 'monday', timezone: 'Europe/London', min_score: 0, max_items: 10,
      include_words: [], exclude_words: [], places: [], paused: false, daily_cap: 4,
    });
    expect(await deps.db.selectFrom('alert_preferences').selectAll().execute()).toEqual([]);

    const bad = await app.request('/suppliers/s/alerts', as('key-of-s', { method: 'PUT', body: JSON.stringify({ frequency: 'hourly', hour: 25, colour: 'red' }) }));
    expect(bad.status).toBe(422);
    const err = await json(bad);
    expect(err.error.code).toBe('invalid_body');
    expect(err.error.message).toContain('frequency');
    expect(err.error.message).toContain('hour');
    expect(await deps.db.selectFrom('alert_preferences').selectAll().execute()).toEqual([]);

    const nowhere = await app.request('/suppliers/s/alerts', as('key-of-s', { method: 'PUT', body: JSON.stringify({ places: ['TLJ', 'Narnia'] }) }));
    expect(nowhere.status).toBe(422);
    const unknownPlace = await json(nowhere);
    expect(unknownPlace.error.message).toContain('unknown place "Narnia"');
    expect(unknownPlace.error.details.fields).toEqual([{ field: 'places[1]', message: expect.stringContaining('"Narnia" is not a place') }]);
    expect(await deps.db.selectFrom('alert_preferences').selectAll().execute()).toEqual([]);

    const put = await app.request('/suppliers/s/alerts', as('key-of-s', { method: 'PUT', body: JSON.stringify({ frequency: 'weekly', weekday: 'friday', hour: 16, min_score: 0.4, max_items: 5, include_words: ['cleaning'], places: ['TLJ'] }) }));
    expect(put.status).toBe(200);
    expect((await json(put)).preferences).toMatchObject({ frequency: 'weekly', weekday: 'friday', hour: 16, min_score: 0.4, max_items: 5, include_words: ['cleaning'], places: ['TLJ'] });
    const stored = await deps.db.selectFrom('alert_preferences').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ supplier_id: 's', frequency: 'weekly', weekday: 5, hour: 16, min_score: 0.4, max_items: 5, include_words: '["cleaning"]', places: '["TLJ"]' });

    const admin = await app.request('/suppliers/s/alerts', as(ENV.ADMIN_KEY, { method: 'PUT', body: JSON.stringify({ paused: true }) }));
    expect(admin.status).toBe(200);
    expect((await deps.db.selectFrom('alert_preferences').select(['paused', 'frequency']).executeTakeFirstOrThrow())).toEqual({ paused: 1, frequency: 'weekly' });
    expect((await app.request('/suppliers/nobody/alerts', as(ENV.ADMIN_KEY))).status).toBe(404);
  });
});
