import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { hashKey } from '../../src/routes/auth.js';

/** Rows for the alert tests, written straight into the real migrated store. Titles and buyers are real Contracts Finder notices. */

export async function addSupplier(
  db: Db,
  s: { id: string; name?: string; email?: string | null; key?: string; cpv?: string[]; national?: boolean; homeRegion?: string; keywords?: string[]; confirmed?: boolean },
) {
  const now = '2026-11-01T00:00:00.000Z';
  await db
    .insertInto('suppliers')
    .values({
      id: s.id,
      name: s.name ?? `Supplier ${s.id}`,
      kind: 'small',
      company_number: null,
      postcode: null,
      home_region: s.homeRegion ?? null,
      serves: '[]',
      national: s.national ? 1 : 0,
      cpv_codes: JSON.stringify(s.cpv ?? []),
      description: null,
      keywords: JSON.stringify(s.keywords ?? []),
      max_contract_value: null,
      turnover_band: null,
      staff_band: null,
      certifications: '[]',
      contact_email: s.email === undefined ? `${s.id}@example.test` : s.email,
      // Confirmed by its owner (double opt-in) unless the test says not.
      contact_email_verified_at: s.confirmed === false ? null : now,
      contact_email_confirmation_at: s.confirmed === false ? null : now,
      key_hash: hashKey(s.key ?? `key-${s.id}`),
      growth: null,
      high_potential_derived: 0,
      high_potential_override: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export interface TenderSeed {
  ocid: string;
  title?: string | null;
  description?: string | null;
  buyer?: string | null;
  value?: number | null;
  currency?: string | null;
  deadline?: string | null;
  status?: string | null;
  url?: string | null;
  regions?: string[];
}

/** Keeps only the columns the migrated table has, so the seed survives columns being added or dropped. */
async function existingColumns(db: Db, table: string, row: Record<string, unknown>) {
  const cols = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  const have = new Set(cols.rows.map((c) => c.name));
  return Object.fromEntries(Object.entries(row).filter(([k]) => have.has(k)));
}

export async function addTender(db: Db, t: TenderSeed) {
  const now = '2026-11-01T00:00:00.000Z';
  const row = await existingColumns(db, 'tenders', {
      ocid: t.ocid,
      source: 'test',
      tender_id: null,
      title: t.title === undefined ? `Tender ${t.ocid}` : t.title,
      description: t.description ?? null,
      buyer_id: null,
      buyer_name: t.buyer === undefined ? 'Oxfordshire County Council' : t.buyer,
      buyer_identifier: null,
      buyer_address: null,
      buyer_postcode: null,
      value_amount: t.value === undefined ? 225000 : t.value,
      value_currency: t.currency === undefined ? 'GBP' : t.currency,
      status: t.status === undefined ? 'active' : t.status,
      procurement_method: null,
      procurement_method_details: null,
      main_category: null,
      published_at: now,
      deadline: t.deadline === undefined ? '2026-12-16T23:59:59Z' : t.deadline,
      notice_type: null,
      suitable_sme: 1,
      suitable_vcse: null,
      reserved_participation: '[]',
      cpv_codes: '[]',
      url: t.url === undefined ? `https://www.contractsfinder.service.gov.uk/Notice/${t.ocid}` : t.url,
      last_release_id: 'r1',
      last_release_date: now,
      release_count: 1,
      content_hash: 'h',
      updated_at: now,
    });
  await db.insertInto('tenders').values(row as never).execute();
  if (t.regions) {
    await db
      .insertInto('items')
      .values({ ocid: t.ocid, item_id: '1', lot_id: null, description: null, cpv_code: null, additional_cpv_codes: '[]', delivery_regions: JSON.stringify(t.regions), delivery_postcodes: '[]', delivery_description: null })
      .execute();
  }
}

export async function addLot(db: Db, l: { ocid: string; lotId: string; title?: string; status?: string | null; value?: number | null; places?: string[] }) {
  await db
    .insertInto('lots')
    .values({
      ocid: l.ocid,
      lot_id: l.lotId,
      title: l.title ?? `Lot ${l.lotId}`,
      description: null,
      status: l.status ?? 'active',
      value_amount: l.value ?? null,
      value_currency: 'GBP',
      cpv_codes: '[]',
      places: JSON.stringify(l.places ?? []),
      suitable_sme: null,
      suitable_vcse: null,
    })
    .execute();
}

export async function addMatch(db: Db, m: { supplier: string; ocid: string; lotId?: string; score: number; reasons?: string[] }) {
  await db
    .insertInto('matches')
    .values({
      supplier_id: m.supplier,
      ocid: m.ocid,
      lot_id: m.lotId ?? '',
      score: m.score,
      reasons: JSON.stringify(m.reasons ?? ['You work in this category (CPV 80000000 Education and training services)']),
      deadline: null,
      computed_at: '2026-11-20T00:00:00.000Z',
    })
    .execute();
}

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  messageId: string;
  to: string;
}

/**
 * A real SMTP server on 127.0.0.1. `answer(n, session)` decides the reply to the n-th message (from 1):
 * return undefined to accept, or { code, message } to refuse. Accepted messages are parsed with mailparser.
 */
export async function startSmtp(
  options: {
    answer?: (n: number, to: string) => { code: number; message: string } | undefined;
    delayMs?: number;
    /** Runs after the n-th message is received and recorded, before the server replies to it. */
    beforeReply?: (n: number) => Promise<void> | void;
  } = {},
) {
  const received: ReceivedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const n = ++attempts;
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const refusal = options.answer?.(n, to);
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        if (refusal) {
          const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        received.push({ raw, parsed, messageId: parsed.messageId ?? '', to });
        await options.beforeReply?.(n);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A header's value from a raw message, unfolded. */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
  return line?.slice(name.length + 1).trim();
}

/**
 * Marks every registered address as confirmed by its owner, as the link in the confirmation message does,
 * for tests about what happens after (tests/jobs/confirmation.test.ts clicks the real link).
 */
export async function confirmAllAddresses(db: Db, at = '2026-11-01T00:00:00.000Z') {
  await db
    .updateTable('suppliers')
    .set({ contact_email_verified_at: at, contact_email_confirmation_at: at })
    .where('contact_email', 'is not', null)
    .where('contact_email_verified_at', 'is', null)
    .execute();
}
