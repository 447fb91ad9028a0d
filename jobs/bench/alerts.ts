/**
 * Alerts benchmark, on the real shared notices (Contracts Finder, Public Contracts Scotland, Sell2Wales)
 * ingested into a SQLite file:
 *  1. build and queue digests for 10,000 suppliers × 10 matches each (target ≤ 10 s): choose each
 *     supplier's tenders and changes, write the outbox row (what the email says, rendered when sent) and
 *     the told-ledger rows; beside, in the same run, choosing and rendering the same digests in memory
 *     with no store at all; and the next day's run, when every supplier is due again and nothing is new;
 *  2. SMTP delivery through the alert job (outbox bookkeeping, one message at a time) to a loopback
 *     smtp-server, beside a bare nodemailer loop sending the same messages over the same pooled transport.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { prng } from '../tools/seeded-random.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { rowsPerInsert } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';
import { chunks } from '../../db/bulk.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { noDelaySocket, smtpMailer } from '../../src/mail/smtp.js';
import { chooseEntries } from '../../src/mail/digest.js';
import { renderDigest } from '../../src/mail/template.js';
import { ingestFile } from '../ingest-file.js';
import { deliverPending, messageBody, queueDueDigests } from '../alerts.js';

const SHARED = new URL('../../../shared/data/ocds/', import.meta.url).pathname;
const FILES = ['contracts-finder/releases-2022.jsonl', 'public-contracts-scotland/releases-2019.jsonl', 'sell2wales/releases-2025.jsonl'];
const SUPPLIERS = 10_000;
const PER_SUPPLIER = 10;
const SMTP_MESSAGES = Number(process.argv.find((a) => a.startsWith('--alerts-smtp='))?.split('=')[1] ?? 1000);


const seconds = (ms: number) => Math.round(ms) / 1000;

export async function run(): Promise<Record<string, unknown>> {
  if (!FILES.every((f) => existsSync(join(SHARED, f)))) {
    console.log(`alerts: skipped, the shared data is not at ${SHARED}`);
    return { skipped: 'shared data not found' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tm-bench-alerts-'));
  const db = await openDb(join(dir, 'alerts.db'));
  try {
    await migrate(db);
    // Before every notice's deadline in the data, so that every tender counts as open.
    const clock = fixedClock('2019-01-07T08:00:00Z');
    const config = loadConfig({ LOG_LEVEL: 'silent', UNSUBSCRIBE_SECRET: 'bench-secret-0123456789abcdef', PUBLIC_BASE_URL: 'https://tendermatch.example', MAIL_FROM: 'tendermatch <alerts@tendermatch.example>' });
    const deps: Deps = { db, clock, config, log: createLog('silent'), mailer: memoryMailer(), fetch: globalThis.fetch.bind(globalThis), sleep: realSleep, jobs: noJobs };
    for (const f of FILES) await ingestFile(deps, join(SHARED, f));

    const open = await db
      .selectFrom('tenders as t')
      .leftJoin('lots as l', 'l.ocid', 't.ocid')
      .select(['t.ocid', 'l.lot_id', 't.buyer_name', 't.cpv_codes'])
      .where((eb) => eb.or([eb('t.status', 'is', null), eb('t.status', 'not in', CLOSED_STATUSES)]))
      .where((eb) => eb.or([eb('t.deadline', 'is', null), eb('t.deadline', '>', clock.now().toISOString())]))
      .execute();
    const targets = open.map((r) => ({ ocid: r.ocid, lotId: r.lot_id ?? '', buyer: r.buyer_name, cpv: (JSON.parse(r.cpv_codes) as string[])[0] ?? null }));
    console.log(`alerts: ${targets.length} open tenders and lots from ${FILES.length} real feeds`);

    const random = prng(42);
    const now = clock.now().toISOString();
    const suppliers = Array.from({ length: SUPPLIERS }, (_, i) => ({
      id: `sup-${String(i).padStart(5, '0')}`,
      name: `Bench Supplier ${i} Ltd`,
      kind: 'small',
      company_number: null,
      postcode: null,
      home_region: null,
      serves: '[]',
      national: 0,
      cpv_codes: '[]',
      description: null,
      keywords: '[]',
      max_contract_value: null,
      turnover_band: null,
      staff_band: null,
      certifications: '[]',
      contact_email: `owner${i}@bench.test`,
      contact_email_verified_at: now,
      contact_email_confirmation_at: now,
      key_hash: 'x',
      growth: null,
      high_potential_derived: 0,
      high_potential_override: null,
      created_at: now,
      updated_at: now,
    }));
    for (const part of chunks(suppliers, rowsPerInsert(db, 24))) await db.insertInto('suppliers').values(part).execute();
    const matches = suppliers.flatMap((s) => {
      const picked = new Set<number>();
      while (picked.size < Math.min(PER_SUPPLIER, targets.length)) picked.add(Math.floor(random() * targets.length));
      return [...picked].map((k) => {
        const t = targets[k];
        return {
          supplier_id: s.id,
          ocid: t.ocid,
          lot_id: t.lotId,
          score: Math.round(random() * 10000) / 10000,
          reasons: JSON.stringify([
            t.cpv ? `What you supply (CPV ${t.cpv}) is what this tender buys` : 'Your keywords appear in the tender',
            `${t.buyer ?? 'The buyer'} is in a region you serve`,
            'The buyer marks it suitable for small businesses',
          ]),
          deadline: null,
          computed_at: now,
        };
      });
    });
    for (const part of chunks(matches, rowsPerInsert(db, 7))) await db.insertInto('matches').values(part).execute();
    console.log(`alerts: ${SUPPLIERS} suppliers, ${matches.length} matches`);

    // Lower bound: the same choice and rendering with the rows already in memory.
    const rows = await db
      .selectFrom('matches as m')
      .innerJoin('tenders as t', 't.ocid', 'm.ocid')
      .select(['m.supplier_id', 'm.ocid', 'm.lot_id', 'm.score', 'm.reasons', 't.title', 't.buyer_name', 't.value_amount', 't.value_currency', 't.deadline', 't.url'])
      .execute();
    const bySupplier = new Map<string, typeof rows>();
    for (const r of rows) bySupplier.set(r.supplier_id, [...(bySupplier.get(r.supplier_id) ?? []), r]);
    let t0 = performance.now();
    let renderedBytes = 0;
    for (const [id, list] of bySupplier) {
      const candidates = list.map((r) => ({ ocid: r.ocid, lotId: r.lot_id, score: r.score, reasons: JSON.parse(r.reasons) as string[], title: r.title, lotTitle: null, description: null, deadline: r.deadline, places: [], r }));
      const { chosen } = chooseEntries({ minScore: 0, maxItems: 10, includeWords: [], excludeWords: [], places: [] }, candidates);
      const out = renderDigest({
        supplierName: id,
        entries: chosen.map((c) => ({ ocid: c.ocid, lotId: c.lotId, title: c.title, lotTitle: null, buyer: c.r.buyer_name, valueAmount: c.r.value_amount, valueCurrency: c.r.value_currency, deadline: c.deadline, place: null, reasons: c.reasons, url: c.r.url })),
        changes: [],
        moreWaiting: 0,
        manageUrl: 'https://tendermatch.example/alerts/manage?token=x',
        unsubscribeUrl: 'https://tendermatch.example/unsubscribe?token=x',
        now: clock.now(),
        timezone: 'Europe/London',
      });
      renderedBytes += out.html.length + out.text.length;
    }
    const renderMs = performance.now() - t0;

    t0 = performance.now();
    const queued = await queueDueDigests(deps);
    const queueMs = performance.now() - t0;
    const pending = Number((await db.selectFrom('alert_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);

    clock.advance(24 * 3600_000);
    t0 = performance.now();
    const again = await queueDueDigests(deps);
    const againMs = performance.now() - t0;

    console.log(`alerts: queue ${queued.digests_queued} digests (${queued.entries_queued} entries) for ${queued.suppliers_due} due suppliers: ${seconds(queueMs)} s (target ≤ 10 s); pending in outbox: ${pending}`);
    console.log(`alerts:   baseline, choose + render the same digests in memory, no store: ${seconds(renderMs)} s (${Math.round(renderedBytes / SUPPLIERS)} bytes of text + HTML per email, rendered at send time)`);
    const stored = await db.selectFrom('alert_outbox').select((eb) => eb.fn.sum<number>(sql<number>`length(content) + length(subject) + length(item_keys)`).as('bytes')).executeTakeFirstOrThrow();
    console.log(`alerts:   outbox holds ${Math.round(Number(stored.bytes) / SUPPLIERS)} bytes per message`);
    console.log(`alerts:   next day, all ${again.suppliers_due} due again, nothing new: ${seconds(againMs)} s, ${again.digests_queued} queued`);

    // SMTP: the job's delivery loop against a bare nodemailer loop, both to the same loopback server.
    let received = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        stream.on('data', () => {});
        stream.on('end', () => {
          received++;
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    try {
      const sample = (await db.selectFrom('alert_outbox').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('message_id').limit(SMTP_MESSAGES).execute()).map(
        (m) => ({ ...m, ...messageBody(m) }),
      );
      const bareLoop = async (noDelay: boolean) => {
        const bare = nodemailer.createTransport({ ...parseConnectionUrl(url), pool: true, maxConnections: 2, maxMessages: 500, ...(noDelay ? { getSocket: noDelaySocket as never } : {}) });
        const start = performance.now();
        for (const m of sample) {
          await bare.sendMail({ from: config.MAIL_FROM, to: m.to_address, subject: m.subject, text: m.text, html: m.html, messageId: m.message_id, headers: JSON.parse(m.headers) as Record<string, string> });
        }
        const ms = performance.now() - start;
        bare.close();
        return ms;
      };
      const bareMs = await bareLoop(false);
      const bareNoDelayMs = await bareLoop(true);

      const mailer = smtpMailer({ url, from: config.MAIL_FROM, ratePerSecond: 1_000_000 });
      const jobDeps: Deps = { ...deps, mailer };
      t0 = performance.now();
      const delivered = await deliverPending(jobDeps, async () => true, { maxMessages: SMTP_MESSAGES });
      const jobMs = performance.now() - t0;
      await mailer.close();

      const paced = smtpMailer({ url, from: config.MAIL_FROM, ratePerSecond: config.MAIL_RATE_PER_SECOND });
      const pacedCount = Math.round(config.MAIL_RATE_PER_SECOND * 3);
      t0 = performance.now();
      const pacedRun = await deliverPending({ ...deps, mailer: paced }, async () => true, { maxMessages: pacedCount });
      const pacedMs = performance.now() - t0;
      await paced.close();

      const bareRate = sample.length / (bareMs / 1000);
      const jobRate = delivered.sent / (jobMs / 1000);
      console.log(`alerts: SMTP to loopback, ${delivered.sent} alerts through the job: ${Math.round(jobRate)} msg/s (${seconds(jobMs)} s)`);
      const bareNoDelayRate = sample.length / (bareNoDelayMs / 1000);
      console.log(`alerts:   baseline, bare nodemailer loop (its default socket), same ${sample.length} messages and pool: ${Math.round(bareRate)} msg/s (${seconds(bareMs)} s)`);
      console.log(`alerts:   baseline, bare nodemailer loop with our no-delay socket: ${Math.round(bareNoDelayRate)} msg/s; the job's outbox bookkeeping keeps ${Math.round((jobRate / bareNoDelayRate) * 100)}% of it`);
      console.log(`alerts:   paced at MAIL_RATE_PER_SECOND=${config.MAIL_RATE_PER_SECOND}: ${pacedRun.sent} messages in ${seconds(pacedMs)} s = ${Math.round((pacedRun.sent / (pacedMs / 1000)) * 10) / 10} msg/s`);
      console.log(`alerts:   the server received ${received} messages in all`);
      return {
        suppliers: SUPPLIERS,
        matches: matches.length,
        open_tenders_and_lots: targets.length,
        queue_seconds: seconds(queueMs),
        queue_target_seconds: 10,
        digests_queued: queued.digests_queued,
        entries_queued: queued.entries_queued,
        render_only_seconds: seconds(renderMs),
        bytes_per_email: Math.round(renderedBytes / SUPPLIERS),
        outbox_bytes_per_message: Math.round(Number(stored.bytes) / SUPPLIERS),
        next_day_nothing_new_seconds: seconds(againMs),
        smtp_messages: delivered.sent,
        smtp_job_msgs_per_second: Math.round(jobRate),
        smtp_bare_nodemailer_msgs_per_second: Math.round(bareRate),
        smtp_bare_nodemailer_nodelay_msgs_per_second: Math.round(bareNoDelayRate),
        smtp_paced_rate_setting: config.MAIL_RATE_PER_SECOND,
        smtp_paced_msgs_per_second: Math.round((pacedRun.sent / (pacedMs / 1000)) * 10) / 10,
      };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
