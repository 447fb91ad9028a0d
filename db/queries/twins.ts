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

/** Stored tenders sharing a key with one of `rows`: same plain buyer name, same plain title or same buyer postcode. */
async function candidatesOf(db: Db, rows: Row[]): Promise<Row[]> {
  const out = new Map<string, Row>();
  const keys = (pick: (r: Row) => string | null) => [...new Set(rows.map(pick).filter((k): k is string => !!k))];
  for (const [column, values] of [
    ['buyer_key', keys((r) => r.buyer_key)],
    ['title_key', keys((r) => r.title_key)],
    ['buyer_postcode', keys((r) => r.buyer_postcode)],
  ] as const) {
    for (const part of chunks(values, 90)) {
      for (const r of await db.selectFrom('tenders').select(COLUMNS).where(column, 'in', part).execute()) out.set(r.ocid, r);
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
      for (const c of candidates) {
        if (c.ocid === r.ocid) continue;
        const verdict = sameProcurement(candidate(r), candidate(c));
        if (!verdict.twins) continue;
        const reasons = JSON.stringify(verdict.reasons);
        links.push({ ocid: r.ocid, twin_ocid: c.ocid, score: verdict.score, reasons, found_at: now }, { ocid: c.ocid, twin_ocid: r.ocid, score: verdict.score, reasons, found_at: now });
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
