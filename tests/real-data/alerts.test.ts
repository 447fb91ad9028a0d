import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { matchSupplier } from '../../jobs/match.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { smtpMailer } from '../../src/mail/smtp.js';
import { escapeHtml } from '../../src/mail/template.js';
import { SHARED_DATA, testDeps } from '../support/helpers.js';
import { addSupplier, header, startSmtp } from '../support/alerts-seed.js';

const RELEASES = join(SHARED_DATA, 'ocds/contracts-finder/releases-2022.jsonl');

describe.skipIf(!existsSync(RELEASES))('alerts over real Contracts Finder notices (skipped: ../shared/data is not present)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => smtp?.close());

  it('matches real notices, then mails a digest that names the best, escapes notice text and links each notice', async () => {
    const mailer = smtpMailer({ url: smtp.url, from: 'tendermatch <alerts@tendermatch.example>', ratePerSecond: 1000 });
    const deps = await testDeps({ mailer, env: { UNSUBSCRIBE_SECRET: 'real-data-secret-0123456789', PUBLIC_BASE_URL: 'https://tendermatch.example' } });
    deps.clock.set('2022-10-20T09:00:00Z');
    await ingestFile(deps, RELEASES);
    // A national training and facilities firm: education (80), cleaning (909) and building works (45).
    await addSupplier(deps.db, { id: 'real', name: 'Three Counties Services CIC', email: 'bids@threecounties.test', national: true, cpv: ['80500000', '90910000', '45000000', '79600000'] });
    const matched = await matchSupplier(deps, 'real');
    expect(matched.written).toBeGreaterThan(2);
    const matches = await deps.db
      .selectFrom('matches as m')
      .innerJoin('tenders as t', 't.ocid', 'm.ocid')
      .select(['m.ocid', 'm.lot_id', 'm.score', 'm.reasons', 't.title', 't.url', 't.deadline', 't.status'])
      .where('m.supplier_id', '=', 'real')
      .execute();
    const open = matches
      .filter((m) => !['cancelled', 'complete', 'unsuccessful', 'withdrawn'].includes(m.status ?? '') && (!m.deadline || m.deadline > '2022-10-20T09:00:00.000Z'))
      .sort((a, b) => b.score - a.score || (Date.parse(a.deadline ?? '9999') - Date.parse(b.deadline ?? '9999')));

    const run = await sendDueAlerts(deps);
    await mailer.close();
    expect(run).toMatchObject({ digests_queued: 1, sent: 1, entries_queued: Math.min(10, open.length) });
    const mail = smtp.received.find((m) => m.to === 'bids@threecounties.test')!;
    const shown = open.slice(0, 10);
    expect(mail.parsed.subject).toContain(`${shown.length} new tender${shown.length === 1 ? '' : 's'} you could win – best: ${shown[0].title}`);
    const text = mail.parsed.text!;
    const html = String(mail.parsed.html);
    for (const m of shown) {
      expect(text).toContain(m.title!);
      expect(html).toContain(escapeHtml(m.title!));
      for (const reason of JSON.parse(m.reasons) as string[]) expect(text).toContain(reason);
      if (m.url) expect(text).toContain(m.url);
    }
    // Best first, in the order the supplier would read them.
    const positions = shown.map((m) => text.indexOf(`. ${m.title}`));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(header(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(text).toContain('Open Government Licence v3.0');
  });
});
