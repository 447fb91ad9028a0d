/**
 * Twins in the store: tenders that are the same procurement (src/domain/ocds/twins.ts), linked both ways in
 * tender_twins, with `tenders.twin_of` naming the one that stands for each set. The list of tenders shows that one
 * with "also published on" the others; matching and alerts see only it.
 */
import type { Db } from '../client.js';
import { bulkWriter, chunks } from '../bulk.js';
import { buyerKey, sameProcurement, standsFor, titleKey, type TwinCandidate } from '../../src/domain/ocds/twins.js';
import { queueForMatching } from './match-queue.js';
import type { TenderRow } from '../schema.js';

const COLUMNS = ['ocid', 'source', 'title', 'buyer_name', 'buyer_identifier', 'buyer_postcode', 'tender_id', 'published_at', 'deadline', 'value_amount', 'cpv_codes', 'url', 'twin_of', 'buyer_key', 'title_key'] as const;
type Row = Pick<TenderRow, (typeof COLUMNS)[number]>;

/** Candidates compared per tender (nearest published first), and twins linked per tender at most. */
const CANDIDATES_PER_TENDER = 50;
const TWINS_PER_TENDER = 3;

function candidate(r: Row): TwinCandidate {
  let cpv: string[] = [];
  try {
    cpv = JSON.parse(r.cpv_codes) as string[];
  } catch {
    cpv = [];
  }
  return {
    ocid: r.ocid,
    title: r.title,
    buyerName: r.buyer_name,
    buyerIdentifier: r.buyer_identifier,
    buyerPostcode: r.buyer_postcode,
    reference: r.tender_id,
    publishedAt: r.published_at,
    deadline: r.deadline,
    value: r.value_amount,
    cpv,
  };
}

/** Tenders stored before their keys were kept get them (once: afterwards nothing is left to fill). */
async function fillKeys(db: Db): Promise<void> {
  for (;;) {
    const rows = await db.selectFrom('tenders').select(['ocid', 'title', 'buyer_name']).where('buyer_key', 'is', null).limit(500).execute();
    if (!rows.length) return;
    for (const r of rows) {
      await db.updateTable('tenders').set({ buyer_key: buyerKey(r.buyer_name) ?? '', title_key: titleKey(r.title) ?? '' }).where('ocid', '=', r.ocid).execute();
    }
  }
}

async function rowsOf(db: Db, ocids: string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const part of chunks([...new Set(ocids)], 90)) out.push(...(await db.selectFrom('tenders').select(COLUMNS).where('ocid', 'in', part).execute()));
  return out;
}

/** Tenders read per key at most: a buyer with thousands of notices is looked through its latest ones. */
const ROWS_PER_KEY = 200;
const WINDOW_MS = 61 * 86_400_000;

/**
 * Stored tenders sharing a key with one of `rows`: the same plain title, the same plain buyer name or the same buyer
 * postcode; at most ROWS_PER_KEY per key (the latest published), so that a key shared by thousands of notices reads
 * a bounded number of rows.
 */
async function candidatesOf(db: Db, rows: Row[]): Promise<Row[]> {
  const out = new Map<string, Row>();
  for (const column of ['title_key', 'buyer_key', 'buyer_postcode'] as const) {
    const byValue = new Map<string, Row[]>();
    for (const r of rows) if (r[column]) byValue.set(r[column]!, [...(byValue.get(r[column]!) ?? []), r]);
    for (const [value, having] of byValue) {
      // Twins are published within 60 days of each other: only that window around these rows is read.
      const dates = having.map((r) => (r.published_at ? Date.parse(r.published_at) : NaN)).filter((d) => !Number.isNaN(d));
      let q = db.selectFrom('tenders').select(COLUMNS).where(column, '=', value);
      if (dates.length === having.length) {
        const from = new Date(Math.min(...dates) - WINDOW_MS).toISOString();
        const to = new Date(Math.max(...dates) + WINDOW_MS).toISOString();
        q = q.where((eb) => eb.or([eb('published_at', 'is', null), eb.between('published_at', from, to)]));
      }
      for (const r of await q.orderBy('published_at', 'desc').limit(ROWS_PER_KEY).execute()) out.set(r.ocid, r);
    }
  }
  return [...out.values()];
}

export interface TwinLinks {
  /** Pairs of twins found or confirmed among these tenders. */
  pairs: number;
  /** Tenders whose twin_of changed (queued for matching). */
  moved: number;
}

/**
 * Looks for twins of these (new or changed) tenders among every stored tender, writes the links each way, drops
 * links that no longer hold, and sets `twin_of` for every set of twins touched: the one published first stands for
 * the set (twin_of null), the others name it. Tenders whose twin_of changed are queued for matching, so that the
 * twin no longer matched loses its matches and the one that stands for it gains them. Idempotent.
 */
export async function linkTwins(db: Db, ocids: string[], now: string): Promise<TwinLinks> {
  if (!ocids.length) return { pairs: 0, moved: 0 };
  await fillKeys(db);
  const writer = bulkWriter(db);
  let pairs = 0;
  let moved = 0;
  for (const part of chunks([...new Set(ocids)], 200)) {
    const rows = await rowsOf(db, part);
    const candidates = await candidatesOf(db, rows);
    const links: Array<{ ocid: string; twin_ocid: string; score: number; reasons: string; found_at: string }> = [];
    for (const r of rows) {
      // The same plain title first, then the nearest in publication date; a tender is linked to a few twins at most (a set of them is joined
      // through each other), so that a buyer with thousands of like notices costs no more than one with a few.
      const at = r.published_at ? Date.parse(r.published_at) : NaN;
      const nearest = candidates
        .filter((c) => c.ocid !== r.ocid && ((!!r.title_key && c.title_key === r.title_key) || (!!r.buyer_key && c.buyer_key === r.buyer_key) || (!!r.buyer_postcode && c.buyer_postcode === r.buyer_postcode)))
        .map((c) => ({ c, title: c.title_key === r.title_key ? 0 : 1, gap: Number.isNaN(at) || !c.published_at ? Infinity : Math.abs(Date.parse(c.published_at) - at) }))
        .sort((x, y) => x.title - y.title || x.gap - y.gap || (x.c.ocid < y.c.ocid ? -1 : 1))
        .slice(0, CANDIDATES_PER_TENDER);
      let linked = 0;
      for (const { c } of nearest) {
        const verdict = sameProcurement(candidate(r), candidate(c));
        if (!verdict.twins) continue;
        const reasons = JSON.stringify(verdict.reasons);
        links.push({ ocid: r.ocid, twin_ocid: c.ocid, score: verdict.score, reasons, found_at: now }, { ocid: c.ocid, twin_ocid: r.ocid, score: verdict.score, reasons, found_at: now });
        if (++linked >= TWINS_PER_TENDER) break;
      }
    }
    // Links of these tenders that no longer hold go; the rest are written again.
    const kept = new Set(links.map((l) => `${l.ocid}\u0000${l.twin_ocid}`));
    const stale: Array<{ ocid: string; twin_ocid: string }> = [];
    for (const p of chunks(part, 90)) {
      const old = await db.selectFrom('tender_twins').select(['ocid', 'twin_ocid']).where((eb) => eb.or([eb('ocid', 'in', p), eb('twin_ocid', 'in', p)])).execute();
      stale.push(...old.filter((l) => !kept.has(`${l.ocid}\u0000${l.twin_ocid}`)));
    }
    for (const l of stale) await db.deleteFrom('tender_twins').where('ocid', '=', l.ocid).where('twin_ocid', '=', l.twin_ocid).execute();
    const unique = dedupe(links);
    await writer.insert('tender_twins', unique, ['ocid', 'twin_ocid'], ['score', 'reasons']);
    pairs += unique.length / 2;
    // Only sets that gained or lost a link, or tenders still naming a twin, can need another twin_of.
    const touched = [...links.flatMap((l) => [l.ocid, l.twin_ocid]), ...stale.flatMap((l) => [l.ocid, l.twin_ocid]), ...rows.filter((r) => r.twin_of).map((r) => r.ocid)];
    moved += await settleStandsFor(db, [...new Set(touched)], now);
  }
  return { pairs, moved };
}

function dedupe<T extends { ocid: string; twin_ocid: string }>(links: T[]): T[] {
  const seen = new Map<string, T>();
  for (const l of links) seen.set(`${l.ocid}\u0000${l.twin_ocid}`, l);
  return [...seen.values()];
}

/** Sets twin_of over each set of twins these tenders belong to; returns how many tenders' twin_of changed. */
async function settleStandsFor(db: Db, ocids: string[], now: string): Promise<number> {
  const seen = new Set<string>();
  const changed: string[] = [];
  for (const start of ocids) {
    if (seen.has(start)) continue;
    // The whole set: everything linked to it, directly or through another twin.
    const group = new Set([start]);
    for (let frontier = [start]; frontier.length; ) {
      const next: string[] = [];
      for (const p of chunks(frontier, 90)) {
        for (const l of await db.selectFrom('tender_twins').select('twin_ocid').where('ocid', 'in', p).execute()) {
          if (!group.has(l.twin_ocid)) {
            group.add(l.twin_ocid);
            next.push(l.twin_ocid);
          }
        }
      }
      frontier = next;
    }
    for (const o of group) seen.add(o);
    const rows = await rowsOf(db, [...group]);
    const head = rows.length > 1 ? standsFor(rows.map((r) => ({ ocid: r.ocid, publishedAt: r.published_at }))) : null;
    for (const r of rows) {
      const want = head && r.ocid !== head ? head : null;
      if (r.twin_of !== want) {
        await db.updateTable('tenders').set({ twin_of: want }).where('ocid', '=', r.ocid).execute();
        changed.push(r.ocid);
      }
    }
  }
  await queueForMatching(bulkWriter(db), changed, now);
  return changed.length;
}

/** The other publications of each of these tenders: where else the same procurement was published. */
export async function alsoPublishedOn(db: Db, ocids: string[]): Promise<Map<string, Array<{ ocid: string; source: string; url: string | null; reasons: string[] }>>> {
  const out = new Map<string, Array<{ ocid: string; source: string; url: string | null; reasons: string[] }>>();
  for (const part of chunks([...new Set(ocids)], 90)) {
    const links = await db
      .selectFrom('tender_twins')
      .innerJoin('tenders', 'tenders.ocid', 'tender_twins.twin_ocid')
      .select(['tender_twins.ocid as ocid', 'tender_twins.twin_ocid as twin', 'tender_twins.reasons as reasons', 'tenders.source as source', 'tenders.url as url'])
      .where('tender_twins.ocid', 'in', part)
      .orderBy('tender_twins.twin_ocid')
      .execute();
    for (const l of links) {
      const list = out.get(l.ocid) ?? [];
      list.push({ ocid: l.twin, source: l.source, url: l.url, reasons: JSON.parse(l.reasons) as string[] });
      out.set(l.ocid, list);
    }
  }
  return out;
}
