import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { renderDigest, type DigestEntry } from '../../src/mail/template.js';
import { isDue, latestSlot } from '../../src/domain/alerts/digest-timing.js';
import { chooseEntries, coversPlace, detectChange } from '../../src/mail/digest.js';
import { smtpMailer, ratePacing } from '../../src/mail/smtp.js';
import { fileOutboxMailer } from '../../src/mail/file-outbox.js';
import { createMailer } from '../../src/mail/create-mailer.js';
import { loadConfig } from '../../src/config.js';
import type { OutgoingMail } from '../../src/mail/mailer.js';
import { startSmtp } from '../support/alerts-seed.js';

const now = new Date('2026-11-24T09:00:00Z');

function entry(over: Partial<DigestEntry>): DigestEntry {
  return {
    ocid: 'ocds-b5fd17-1',
    lotId: '',
    title: 'Oxfordshire Domestic Abuse Training Service',
    lotTitle: null,
    buyer: 'Oxfordshire County Council',
    valueAmount: 225000,
    valueCurrency: 'GBP',
    deadline: '2026-12-16T23:59:59Z',
    place: 'South East',
    reasons: ['You work in this category (CPV 80000000 Education and training services)'],
    url: 'https://www.contractsfinder.service.gov.uk/Notice/abc',
    ...over,
  };
}

const links = { manageUrl: 'https://tm.example/alerts/manage?token=m', unsubscribeUrl: 'https://tm.example/unsubscribe?token=u', now, timezone: 'Europe/London' };

describe('alert template', () => {
  it('says how many and names the best one in the subject', () => {
    const r = renderDigest({
      supplierName: 'Cherwell Training Co-op',
      entries: [entry({}), entry({ ocid: 'x2', title: "Oxfordshire Domestic Abuse Champion's Network" })],
      changes: [],
      moreWaiting: 0,
      ...links,
    });
    expect(r.subject).toBe('2 new tenders you could win – best: Oxfordshire Domestic Abuse Training Service (Oxfordshire County Council)');
    expect(r.text).toContain('Buyer: Oxfordshire County Council');
    expect(r.text).toContain('Value: £225,000');
    expect(r.text).toContain('Deadline: Wed 16 December 2026, 23:59 (22 days left)');
    expect(r.text).toContain('Place: South East');
    expect(r.text).toContain('- You work in this category (CPV 80000000 Education and training services)');
    expect(r.text).toContain('Unsubscribe: https://tm.example/unsubscribe?token=u');
    expect(r.html).toContain('<a href="https://tm.example/unsubscribe?token=u"');
    expect(r.html).toContain('Change what you receive');
  });

  // Real notice text (titles with apostrophes, ampersands and mojibake as published) plus hostile input.
  const escapes: Array<[string, string, string]> = [
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;', '<script>'],
    ['Regent Theatre Back of House Ventilation & Cooling', 'Ventilation &amp; Cooling', '& Cooling<'],
    ["St George's Academy ~ Cleaning Services Tender", 'St George&#39;s Academy', "George's Academy"],
    ['Innovation in the Districtâ€™s schools', 'Districtâ€™s', '<img'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;', '<img src=x'],
  ];
  it.each(escapes)('renders %j as text in HTML', (title, escaped, mustNotAppear) => {
    const r = renderDigest({ supplierName: 'A & B <Ltd>', entries: [entry({ title })], changes: [], moreWaiting: 0, ...links });
    expect(r.html).toContain(escaped);
    expect(r.html).not.toContain(mustNotAppear);
    expect(r.html).toContain('Hello A &amp; B &lt;Ltd&gt;');
    expect(r.text).toContain(title);
  });

  it('never links to a non-http URL and keeps headers on one line', () => {
    const r = renderDigest({
      supplierName: 'X',
      entries: [entry({ title: 'Evil\r\nBcc: victim@example.com', url: 'javascript:alert(1)' })],
      changes: [],
      moreWaiting: 3,
      ...links,
    });
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.html).not.toContain('javascript:');
    expect(r.text).toContain('Notice: no public link was published');
    expect(r.text).toContain('3 more matches did not fit in this email; those still open will be in your next alert.');
  });

  it('writes changes: cancelled and moved deadlines', () => {
    const r = renderDigest({
      supplierName: 'X',
      entries: [],
      changes: [
        { ocid: 'a', lotId: '', title: 'Website for Atom Valley', lotTitle: null, buyer: 'Rochdale Metropolitan Borough Council', kind: 'cancelled', previousDeadline: null, deadline: null, url: null },
        { ocid: 'b', lotId: '2', title: 'Soft Facilities Management Services', lotTitle: 'Cleaning', buyer: null, kind: 'deadline', previousDeadline: '2026-12-01T12:00:00Z', deadline: '2026-12-08T12:00:00Z', url: null },
      ],
      moreWaiting: 0,
      ...links,
    });
    expect(r.subject).toBe('Update: Website for Atom Valley – cancelled and 1 other update');
    expect(r.text).toContain('The buyer has cancelled this tender.');
    expect(r.text).toContain('The deadline has moved from Tue 1 December 2026, 12:00');
    expect(r.text).toContain('to Tue 8 December 2026, 12:00');
    expect(r.text).toContain('Soft Facilities Management Services (lot 2: Cleaning)');
  });
});

describe('schedule', () => {
  const daily7 = { frequency: 'daily' as const, hour: 7, weekday: 1, timezone: 'Europe/London' };
  const table: Array<[string, Parameters<typeof isDue>[0], string | null, string, boolean]> = [
    ['never checked', daily7, null, '2026-11-24T06:00:00Z', true],
    ['checked before today 07:00 (GMT)', daily7, '2026-11-23T07:05:00Z', '2026-11-24T07:00:00Z', true],
    ['checked after today 07:00', daily7, '2026-11-24T07:00:30Z', '2026-11-24T12:00:00Z', false],
    ['summer: 07:00 BST is 06:00 UTC', daily7, '2026-07-01T05:59:00Z', '2026-07-01T06:00:00Z', true],
    ['summer: not yet 07:00 BST', daily7, '2026-06-30T06:01:00Z', '2026-07-01T05:59:00Z', false],
    ['weekly Monday 9: on Tuesday after Monday check', { frequency: 'weekly', hour: 9, weekday: 1, timezone: 'Europe/London' }, '2026-11-23T09:01:00Z', '2026-11-24T10:00:00Z', false],
    ['weekly Monday 9: next Monday', { frequency: 'weekly', hour: 9, weekday: 1, timezone: 'Europe/London' }, '2026-11-23T09:01:00Z', '2026-11-30T09:00:00Z', true],
    ['immediate is always due', { frequency: 'immediate', hour: 0, weekday: 0, timezone: 'Europe/London' }, '2026-11-24T08:59:00Z', '2026-11-24T09:00:00Z', true],
  ];
  it.each(table)('%s', (_why, schedule, last, at, due) => {
    expect(isDue(schedule, last, new Date(at))).toBe(due);
  });
  it('finds the latest weekly slot', () => {
    expect(latestSlot({ frequency: 'weekly', hour: 9, weekday: 1, timezone: 'Europe/London' }, new Date('2026-11-29T12:00:00Z'))?.toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });
});

describe('digest choice', () => {
  const base = { minScore: 0.3, maxItems: 2, includeWords: [], excludeWords: [], places: [] };
  const c = (ocid: string, score: number, title: string, deadline: string | null = null, places: string[] = []) => ({ ocid, lotId: '', score, reasons: [], title, lotTitle: null, description: null, deadline, places });
  it('filters by score and words, orders best first, and counts what did not fit', () => {
    const all = [
      c('a', 0.5, 'Soft Skills Training'),
      c('b', 0.9, 'Domestic Abuse Support Service'),
      c('c', 0.2, 'Email Security Solution'),
      c('d', 0.5, 'Isle of Cumbrae CRS Fit Out Works', '2026-12-01T00:00:00Z'),
      c('e', 0.6, 'WWC Extreme Kayak Bridge'),
    ];
    const r = chooseEntries(base, all);
    expect(r.chosen.map((x) => x.ocid)).toEqual(['b', 'e']);
    expect(r.moreWaiting).toBe(2);
    expect(chooseEntries({ ...base, maxItems: 10, excludeWords: ['kayak'] }, all).chosen.map((x) => x.ocid)).toEqual(['b', 'd', 'a']);
    expect(chooseEntries({ ...base, maxItems: 10, includeWords: ['training', 'works'] }, all).chosen.map((x) => x.ocid)).toEqual(['d', 'a']);
    // words in the description count too
    expect(chooseEntries({ ...base, includeWords: ['playground'] }, [{ ...c('g', 1, 'Parks works'), description: 'Renewal of the Ward End Park playground' }]).chosen.map((x) => x.ocid)).toEqual(['g']);
    // whole words only: "bus" is not "business"
    expect(chooseEntries({ ...base, includeWords: ['bus'] }, [c('f', 1, 'Business support')]).chosen).toEqual([]);
  });
  it('matches places by code prefix (NUTS or ITL) or name, and keeps notices that state no place', () => {
    expect(coversPlace(['TLM'], ['UKM71'])).toBe(true);
    expect(coversPlace(['UKL'], ['UKL15'])).toBe(true);
    expect(coversPlace(['TLG'], ['UKM71'])).toBe(false);
    expect(coversPlace(['west midlands'], ['West Midlands'])).toBe(true);
    expect(coversPlace(['TLG'], [])).toBe(true);
  });
  it('detects a cancellation once and a moved deadline', () => {
    const told = { ocid: 'o', lotId: '', toldDeadline: '2026-12-01T12:00:00.000Z', cancellationTold: false, tenderStatus: 'active', lotStatus: null, deadline: '2026-12-01T12:00:00Z' };
    expect(detectChange(told)).toBeNull();
    expect(detectChange({ ...told, deadline: '2026-12-08T12:00:00+00:00' })).toMatchObject({ kind: 'deadline', itemKind: 'deadline:2026-12-08T12:00:00.000Z' });
    expect(detectChange({ ...told, tenderStatus: 'cancelled' })).toMatchObject({ kind: 'cancelled', itemKind: 'cancelled' });
    expect(detectChange({ ...told, tenderStatus: 'cancelled', cancellationTold: true })).toBeNull();
    expect(detectChange({ ...told, lotStatus: 'cancelled' })?.kind).toBe('cancelled');
  });
});

function mail(over: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: 'owner@cherwell-coop.test',
    subject: '1 new tender you could win – best: <script>alert(1)</script>',
    text: 'Hello\n<script>alert(1)</script>\n',
    html: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    messageId: '<m-1.alert@tendermatch.test>',
    headers: { 'List-Unsubscribe': '<https://tm.example/unsubscribe?token=u1.abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    ...over,
  };
}

describe('SMTP transport against a real server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('delivers both parts with the Message-ID and one-click unsubscribe headers', async () => {
    smtp = await startSmtp();
    const mailer = smtpMailer({ url: smtp.url, from: 'tendermatch <alerts@tendermatch.test>', ratePerSecond: 100 });
    const result = await mailer.send(mail());
    await mailer.close();
    expect(result).toMatchObject({ accepted: true, code: 250 });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0].parsed;
    expect(got.messageId).toBe('<m-1.alert@tendermatch.test>');
    expect(got.subject).toBe('1 new tender you could win – best: <script>alert(1)</script>');
    expect(smtp.received[0].raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(smtp.received[0].raw).toMatch(/^List-Unsubscribe: <https:\/\/tm\.example\/unsubscribe\?token=u1\.abc\.def>/m);
    expect(got.html).toContain('&lt;script&gt;');
    expect(got.html).not.toContain('<script>');
    expect(got.text).toContain('<script>alert(1)</script>');
    expect(smtp.received[0].to).toBe('owner@cherwell-coop.test');
  });

  it('reports 451 as temporary and 550 as permanent', async () => {
    smtp = await startSmtp({ answer: (n) => (n === 1 ? { code: 451, message: 'try again later' } : n === 2 ? { code: 550, message: 'no such mailbox' } : undefined) });
    const mailer = smtpMailer({ url: smtp.url, from: 'alerts@tendermatch.test', ratePerSecond: 100 });
    expect(await mailer.send(mail())).toMatchObject({ accepted: false, code: 451, permanent: false });
    expect(await mailer.send(mail())).toMatchObject({ accepted: false, code: 550, permanent: true });
    expect(await mailer.send(mail())).toMatchObject({ accepted: true });
    await mailer.close();
    expect(smtp.received).toHaveLength(1);
  });

  it('reports an unreachable server as temporary, without a code', async () => {
    smtp = await startSmtp();
    const url = smtp.url;
    await smtp.close();
    smtp = undefined;
    const mailer = smtpMailer({ url, from: 'alerts@tendermatch.test', ratePerSecond: 100 });
    const r = await mailer.send(mail());
    await mailer.close();
    expect(r).toMatchObject({ accepted: false, permanent: false, unreachable: true });
  });

  it('turns a rate into nodemailer pacing', () => {
    expect(ratePacing(10)).toEqual({ rateLimit: 10, rateDelta: 1000 });
    expect(ratePacing(0.5)).toEqual({ rateLimit: 1, rateDelta: 2000 });
  });
});

describe('file outbox transport', () => {
  it('writes one .eml per Message-ID that mailparser reads back, replacing on resend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-outbox-'));
    try {
      const mailer = createMailer(loadConfig({ OUTBOX_DIR: dir, MAIL_FROM: 'tendermatch <alerts@tendermatch.test>' }));
      expect(mailer.kind).toBe('file');
      expect((await mailer.send(mail())).accepted).toBe(true);
      expect((await mailer.send(mail())).accepted).toBe(true);
      await mailer.send(mail({ messageId: '<m-2.alert@tendermatch.test>' }));
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['m-1.alert@tendermatch.test.eml', 'm-2.alert@tendermatch.test.eml']);
      const parsed = await simpleParser(readFileSync(join(dir, files[0])));
      expect(parsed.messageId).toBe('<m-1.alert@tendermatch.test>');
      expect(readFileSync(join(dir, files[0]), 'utf8')).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(parsed.html).toContain('&lt;script&gt;');
      expect(parsed.from?.text).toContain('alerts@tendermatch.test');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is chosen only without SMTP_URL', () => {
    expect(createMailer(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).kind).toBe('smtp');
    expect(fileOutboxMailer({ dir: '/nonexistent', from: 'x' }).kind).toBe('file');
  });
});
