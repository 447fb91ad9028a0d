import type { Db } from '../client.js';
import { engineOf, sameStore } from '../client.js';
import { bulkWriter, chunks, type BulkWriter } from '../bulk.js';
import type { Insertable } from 'kysely';
import type { AwardSuppliersTable, AwardsTable, ItemsTable, LotsTable, QuarantineTable, ReleasesTable, TendersTable } from '../schema.js';
import { compileReleases, dateOrder, releaseDate, sortReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { releaseIdOf, releaseProblem, releaseTags } from '../../src/domain/ocds/release.js';
import type { IncomingRelease, Release, TenderRecord } from '../../src/domain/ocds/types.js';
import { hash64 } from '../../src/domain/hash.js';
import { writeTags } from './tags.js';

export type { IncomingRelease } from '../../src/domain/ocds/types.js';

export interface StoreCounts {
  fetched: number;
  /** Releases of an ocid not seen before. */
  inserted: number;
  /** New or changed releases of an ocid already stored. */
  updated: number;
  /** Releases already stored with the same content. */
  unchanged: number;
  quarantined: number;
  /** Tenders whose record was created or changed: the match job works on these. */
  changedOcids: string[];
}

interface Accepted {
  releaseId: string;
  ocid: string;
  date: string | null;
  hash: string;
  raw: string;
  release: Release;
}

const json = JSON.stringify;
const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

/**
 * Stores a batch of releases from one source and recompiles the tenders they touch.
 *
 * A tender is compiled from all its releases (those stored and those arriving), so order of arrival
 * does not matter. Idempotent and crash-safe without transactions: child rows and the tender are
 * rewritten first and the raw release rows last, so a release counts as stored only once everything
 * derived from it is; a crash part-way leaves releases that the next run treats as new and compiles
 * again. Where the engine has transactions the batch also runs in one, which is much faster on SQLite.
 */
export async function storeReleases(db: Db, source: string, incoming: IncomingRelease[], now: string): Promise<StoreCounts> {
  // Inside a caller's transaction (see inStoreTransaction) the batch joins it.
  if (engineOf(db) === 'd1' || db.isTransaction) return storeBatch(db, bulkWriter(db), source, incoming, now);
  return db.transaction().execute((trx) => storeBatch(sameStore(trx, db), bulkWriter(sameStore(trx, db)), source, incoming, now));
}

/**
 * Runs `work` in one transaction where the engine has them (D1 has none: `work` gets the store itself).
 * storeReleases calls made with the store it is given join that transaction, so that a bulk ingest
 * commits once per several batches: fewer commits rewrite fewer index pages, while each batch still
 * holds only its own releases in memory. A crash rolls back to the last commit, and the next run stores
 * those releases again.
 */
export async function inStoreTransaction<T>(db: Db, work: (store: Db) => Promise<T>): Promise<T> {
  if (engineOf(db) === 'd1' || db.isTransaction) return work(db);
  return db.transaction().execute((trx) => work(sameStore(trx, db)));
}

async function storeBatch(db: Db, writer: BulkWriter, source: string, incoming: IncomingRelease[], now: string): Promise<StoreCounts> {
  const counts: StoreCounts = { fetched: incoming.length, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, changedOcids: [] };
  const quarantine: Array<{ reason: string; raw: string; ocid: string | null; releaseId: string | null }> = [];
  const accepted = new Map<string, Accepted>();

  for (const entry of incoming) {
    if (entry.parseError !== undefined || entry.value === undefined) {
      quarantine.push({ reason: entry.parseError ?? 'no release value', raw: entry.raw, ocid: null, releaseId: null });
      continue;
    }
    const problem = releaseProblem(entry.value);
    const maybe = entry.value as Record<string, unknown>;
    if (problem) {
      quarantine.push({
        reason: problem,
        raw: entry.raw,
        ocid: typeof maybe?.ocid === 'string' ? maybe.ocid : null,
        releaseId: typeof maybe?.id === 'string' ? maybe.id : null,
      });
      continue;
    }
    const release = entry.value as Release;
    const releaseId = releaseIdOf(release, entry.raw);
    // The same release twice in one batch: the later copy wins, as it would across batches.
    // Hash the parsed value, not the text: the same release published with other spacing is unchanged.
    const hash = hash64(json(release));
    accepted.set(releaseId, { releaseId, ocid: String(release.ocid), date: releaseDate(release), hash, raw: entry.raw, release });
  }

  // Which releases are already stored, and with what content?
  const stored = new Map<string, string>();
  for (const ids of chunks([...accepted.keys()], 500)) {
    const rows = await db.selectFrom('releases').select(['release_id', 'content_hash']).where('source', '=', source).where('release_id', 'in', ids).execute();
    for (const r of rows) stored.set(r.release_id, r.content_hash);
  }
  const fresh: Accepted[] = [];
  for (const a of accepted.values()) {
    if (stored.get(a.releaseId) === a.hash) counts.unchanged++;
    else fresh.push(a);
  }

  const byOcid = new Map<string, Accepted[]>();
  for (const a of fresh) {
    const list = byOcid.get(a.ocid);
    if (list) list.push(a);
    else byOcid.set(a.ocid, [a]);
  }

  const existing = new Map<string, Pick<TendersTable, 'published_at' | 'content_hash'>>();
  for (const ocids of chunks([...byOcid.keys()], 500)) {
    const rows = await db.selectFrom('tenders').select(['ocid', 'published_at', 'content_hash']).where('ocid', 'in', ocids).execute();
    for (const r of rows) existing.set(r.ocid, r);
  }
  // Earlier releases of tenders already stored: the tender is compiled again from all of them, so a
  // release arriving late or republished lands in its right place.
  const earlier = await storedReleases(db, [...existing.keys()]);

  const records: TenderRecord[] = [];
  const tenderRows: Insertable<TendersTable>[] = [];
  for (const [ocid, releases] of byOcid) {
    const before = existing.get(ocid);
    for (const _r of releases) (before ? counts.updated++ : counts.inserted++);
    try {
      const replaced = new Set(releases.map((r) => r.releaseId));
      const all = [
        ...(earlier.get(ocid) ?? []).filter((r) => !replaced.has(r.releaseId)),
        ...releases.map((r) => ({ releaseId: r.releaseId, date: r.date, release: r.release })),
      ];
      const compiled = compileReleases(all.map((r) => r.release));
      const latest = sortReleases(all)[all.length - 1];
      const record = normalise(compiled, { firstReleaseDate: earliest([before?.published_at ?? null, ...all.map((r) => r.date)]) });
      const contentHash = hash64(json(record));
      if (before?.content_hash !== contentHash) counts.changedOcids.push(ocid);
      records.push(record);
      tenderRows.push(tenderRow(record, source, latest, all.length, contentHash, now));
    } catch (err) {
      // A release that type-checks but still cannot be compiled: keep it aside with the reason.
      for (const r of releases) {
        quarantine.push({ reason: `cannot compile: ${(err as Error).message}`, raw: r.raw, ocid, releaseId: r.releaseId });
        fresh.splice(fresh.indexOf(r), 1);
        if (before) counts.updated--;
        else counts.inserted--;
      }
    }
  }

  await replaceChildren(writer, records, existing);
  await writer.insert('tenders', tenderRows, ['ocid']);
  await writeTags(db, records, now);
  await writer.insert('releases', releaseRows(source, fresh, now), ['source', 'release_id']);
  counts.quarantined = quarantine.length;
  await writer.insert('quarantine', quarantineRows(source, quarantine, now), ['source', 'content_hash'], []);
  return counts;
}

function earliest(dates: Array<string | null>): string | null {
  let best: string | null = null;
  for (const d of dates) if (d && (best === null || dateOrder(d) < dateOrder(best))) best = d;
  return best;
}

interface StoredRelease {
  releaseId: string;
  date: string | null;
  release: Release;
}

/** Every stored release of these ocids, by ocid. */
async function storedReleases(db: Db, ocids: string[]): Promise<Map<string, StoredRelease[]>> {
  const out = new Map<string, StoredRelease[]>();
  for (const part of chunks(ocids, 500)) {
    const rows = await db.selectFrom('releases').select(['ocid', 'release_id', 'release_date', 'raw']).where('ocid', 'in', part).execute();
    for (const r of rows) {
      const list = out.get(r.ocid) ?? [];
      list.push({ releaseId: r.release_id, date: r.release_date, release: JSON.parse(r.raw) as Release });
      out.set(r.ocid, list);
    }
  }
  return out;
}

/**
 * The normalised records of stored tenders, compiled from their stored releases: what matching,
 * retagging and anything else downstream reads. Ocids not in the store are left out.
 */
export async function loadTenderRecords(db: Db, ocids: string[]): Promise<TenderRecord[]> {
  const releases = await storedReleases(db, [...new Set(ocids)]);
  const out: TenderRecord[] = [];
  for (const [, list] of releases) {
    const dates = list.map((r) => r.date);
    out.push(normalise(compileReleases(list.map((r) => r.release)), { firstReleaseDate: earliest(dates) }));
  }
  return out;
}

function tenderRow(
  t: TenderRecord,
  source: string,
  latest: StoredRelease,
  releaseCount: number,
  contentHash: string,
  now: string,
): Insertable<TendersTable> {
  return {
    ocid: t.ocid,
    source,
    tender_id: t.tenderId,
    title: t.title,
    description: t.description,
    buyer_id: t.buyer?.id ?? null,
    buyer_name: t.buyer?.name ?? null,
    buyer_identifier: t.buyer?.identifier ?? null,
    buyer_address: t.buyer?.address?.text ?? null,
    buyer_postcode: t.buyer?.address?.postcode ?? null,
    value_amount: t.value.amount,
    value_currency: t.value.currency,
    status: t.status,
    procurement_method: t.procurementMethod,
    procurement_method_details: t.procurementMethodDetails,
    main_category: t.mainCategory,
    published_at: t.publishedAt,
    deadline: t.deadline,
    notice_type: t.noticeType,
    suitable_sme: flag(t.suitableSme),
    suitable_vcse: flag(t.suitableVcse),
    reserved_participation: json(t.reservedParticipation),
    cpv_codes: json(t.cpv),
    url: t.url,
    last_release_id: latest.releaseId,
    last_release_date: latest.date,
    release_count: releaseCount,
    content_hash: contentHash,
    updated_at: now,
  };
}

/** Lots, items, awards and award suppliers are rewritten whole for every changed tender. */
async function replaceChildren(writer: BulkWriter, records: TenderRecord[], existing: Map<string, unknown>): Promise<void> {
  if (!records.length) return;
  const stored = records.map((r) => r.ocid).filter((ocid) => existing.has(ocid));
  for (const table of ['lots', 'items', 'awards', 'award_suppliers'] as const) await writer.deleteWhereIn(table, 'ocid', stored);
  const lots: Insertable<LotsTable>[] = [];
  const items: Insertable<ItemsTable>[] = [];
  const awards: Insertable<AwardsTable>[] = [];
  const suppliers: Insertable<AwardSuppliersTable>[] = [];
  for (const t of records) {
    for (const l of uniqueBy(t.lots, (l) => l.id)) {
      lots.push({
        ocid: t.ocid,
        lot_id: l.id,
        title: l.title,
        description: l.description,
        status: l.status,
        value_amount: l.value.amount,
        value_currency: l.value.currency,
        cpv_codes: json(l.cpv),
        places: json(l.places),
        suitable_sme: flag(l.suitableSme),
        suitable_vcse: flag(l.suitableVcse),
      });
    }
    for (const i of uniqueBy(t.items, (i) => i.id)) {
      items.push({
        ocid: t.ocid,
        item_id: i.id,
        lot_id: i.lotId,
        description: i.description,
        cpv_code: i.cpv,
        additional_cpv_codes: json(i.additionalCpv),
        delivery_regions: json(i.deliveryRegions),
        delivery_postcodes: json(i.deliveryPostcodes),
        delivery_description: i.deliveryDescription,
      });
    }
    for (const a of uniqueBy(t.awards, (a) => a.id)) {
      awards.push({
        ocid: t.ocid,
        award_id: a.id,
        award_date: a.date,
        date_published: a.datePublished,
        status: a.status,
        value_amount: a.value.amount,
        value_currency: a.value.currency,
        lot_ids: json(a.lotIds),
      });
      for (const s of uniqueBy(a.suppliers, (s) => s.partyId)) {
        suppliers.push({
          ocid: t.ocid,
          award_id: a.id,
          party_id: s.partyId,
          name: s.name,
          identifier_scheme: s.identifierScheme,
          identifier: s.identifier,
          address: s.address?.text ?? null,
          postcode: s.address?.postcode ?? null,
          scale: s.scale,
        });
      }
    }
  }
  await writer.insert('lots', lots);
  await writer.insert('items', items);
  await writer.insert('awards', awards);
  await writer.insert('award_suppliers', suppliers);
}

function releaseRows(source: string, fresh: Accepted[], now: string): Insertable<ReleasesTable>[] {
  return fresh.map((a) => ({
    source,
    release_id: a.releaseId,
    ocid: a.ocid,
    release_date: a.date,
    tags: json(releaseTags(a.release)),
    content_hash: a.hash,
    raw: a.raw,
    stored_at: now,
  }));
}

function quarantineRows(
  source: string,
  entries: Array<{ reason: string; raw: string; ocid: string | null; releaseId: string | null }>,
  now: string,
): Insertable<QuarantineTable>[] {
  return uniqueBy(
    entries.map((q) => ({ source, content_hash: hash64(q.raw), ocid: q.ocid, release_id: q.releaseId, reason: q.reason, raw: q.raw, received_at: now })),
    (r) => r.content_hash,
  );
}


function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of list) seen.set(key(t), t);
  return [...seen.values()];
}
