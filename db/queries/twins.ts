/**
 * Twins in the store: tenders that are the same procurement (src/domain/ocds/twins.ts), linked both ways in
 * tender_twins, with `tenders.twin_of` naming the one that stands for each set. The list of tenders shows that one
 * with "also published on" the others; matching and alerts see only it.
 */
import { sql } from 'kysely';
import type { Db } from '../client.js';
import { bulkWriter, chunks } from '../bulk.js';
import { buyerKey, sameProcurement, standsFor, titleKey, type TwinCandidate } from '../../src/domain/ocds/twins.js';
import { queuedOcids, queueForMatching } from './match-queue.js';
import { inStoreTransaction } from './releases.js';
import type { TenderRow } from '../schema.js';

const COLUMNS = ['ocid', 'source', 'title', 'buyer_name', 'buyer_identifier', 'buyer_postcode', 'tender_id', 'published_at', 'deadline', 'value_amount', 'cpv_codes', 'url', 'twin_of', 'buyer_key', 'title_key'] as const;
type Row = Pick<TenderRow, (typeof COLUMNS)[number]>;

/** Candidates compared per tender (the same plain title first, then the nearest published), and twins linked each. */
const CANDIDATES_PER_TENDER = 25;
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

/** Tenders read per key and tender at most, and per query for a batch before it is read key by key. */
const ROWS_PER_KEY = 25;
const ROWS_PER_BATCH = 2000;
/** Twins are published within 60 days of each other: the window read around a tender. */
const WINDOW_MS = 61 * 86_400_000;

/**
 * For each of these tenders, stored tenders that could be its twin: those sharing its plain title, plain buyer name
 * or buyer postcode and published within 61 days of it, the nearest ROWS_PER_KEY per key. One query per key and 90
 * tenders (the batch's own publication dates bound it), so that a bulk ingest reads in few queries.
 */
/** The index of the first entry at or after `t` in a list sorted by time (binary search). */
function firstAtOrAfter(list: Array<{ t: number }>, t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function candidatesOf(db: Db, rows: Row[]): Promise<Map<string, Row[]>> {
  const out = new Map<string, Map<string, Row>>(rows.map((r) => [r.ocid, new Map()]));
  const time = (r: Pick<Row, 'published_at'>) => (r.published_at ? Date.parse(r.published_at) : NaN);
  // Read in publication order, 90 tenders a query: neighbours in time share a narrow window, so each query reads the
  // few stored tenders around them, not those of every year the batch spans (in ocid order, every part spanned them
  // all and most queries read ROWS_PER_BATCH rows).
  const inTime = [...rows].sort((a, b) => (time(a) || Infinity) - (time(b) || Infinity) || (a.ocid < b.ocid ? -1 : 1));
  for (const key of ['title_key', 'buyer_key', 'buyer_postcode'] as const) {
    for (const part of chunks(inTime.filter((r) => r[key]), 90)) {
      const window = (dates: number[]) =>
        dates.every((d) => !Number.isNaN(d)) ? ([new Date(Math.min(...dates) - WINDOW_MS).toISOString(), new Date(Math.max(...dates) + WINDOW_MS).toISOString()] as const) : null;
      const read = async (values: string[], span: readonly [string, string] | null, limit: number) => {
        const q = db.selectFrom('tenders').select(COLUMNS).where(key, 'in', values);
        if (!span) return q.limit(limit).execute();
        // Dated and undated apart: `published_at IS NULL OR BETWEEN` would stop the (key, published_at) index at the
        // key and read every tender of the key; the range alone is read from the index.
        const dated = await q.where('published_at', '>=', span[0]).where('published_at', '<=', span[1]).limit(limit).execute();
        return dated.length >= limit ? dated : [...dated, ...(await q.where('published_at', 'is', null).limit(limit - dated.length).execute())];
      };
      let found = await read([...new Set(part.map((r) => r[key]!))], window(part.map(time)), ROWS_PER_BATCH);
      if (found.length >= ROWS_PER_BATCH) {
        // Keys shared by very many notices (a large buyer, a notice published many times): read each key around its own
        // tenders' dates, a bounded number each.
        found = [];
        const byKey = new Map<string, Row[]>();
        for (const r of part) byKey.set(r[key]!, [...(byKey.get(r[key]!) ?? []), r]);
        for (const [value, having] of byKey) found.push(...(await read([value], window(having.map(time)), ROWS_PER_KEY * (having.length + 1))));
      }
      const byValue = new Map<string, Array<{ c: Row; t: number }>>();
      for (const c of found) {
        const list = byValue.get(c[key]!);
        const entry = { c, t: Number.isNaN(time(c)) ? Infinity : time(c) };
        if (list) list.push(entry);
        else byValue.set(c[key]!, [entry]);
      }
      for (const list of byValue.values()) list.sort((x, y) => x.t - y.t || (x.c.ocid < y.c.ocid ? -1 : 1));
      for (const r of part) {
        const list = byValue.get(r[key]!) ?? [];
        const at = Number.isNaN(time(r)) ? Infinity : time(r);
        // The nearest in time, outwards from where this tender's date falls in the sorted list.
        let hi = firstAtOrAfter(list, at);
        let lo = hi - 1;
        const found = out.get(r.ocid)!;
        for (let taken = 0; taken < ROWS_PER_KEY && (lo >= 0 || hi < list.length); ) {
          const high = lo < 0 || (hi < list.length && list[hi].t - at <= at - list[lo].t);
          const x = high ? list[hi++] : list[lo--];
          if (at !== Infinity && x.t !== Infinity && Math.abs(x.t - at) > WINDOW_MS) {
            if (high) hi = list.length;
            else lo = -1;
            continue;
          }
          if (x.c.ocid === r.ocid) continue;
          found.set(x.c.ocid, x.c);
          taken++;
        }
      }
    }
  }
  return new Map([...out].map(([ocid, m]) => [ocid, [...m.values()]]));
}

export interface TwinLinks {
  /** Pairs of twins linked among these tenders (found now, or found before and still holding). */
  pairs: number;
  /** Tenders whose twin_of changed (queued for matching). */
  moved: number;
}

type Link = { ocid: string; twin_ocid: string; score: number; reasons: string; found_at: string };

/**
 * Looks for twins of these (new or changed) tenders among the stored tenders, writes the links each way, drops
 * their links that no longer hold (each is judged again), and sets `twin_of` over every set of twins touched: the
 * one published first stands for the set (twin_of null), the others name it. Tenders whose twin_of changed are
 * queued for matching, so that the twin no longer matched loses its matches and the one standing for it gains them.
 * Idempotent: run again, it finds the same links and moves nothing.
 */
export async function linkTwins(db: Db, ocids: string[], now: string): Promise<TwinLinks> {
  if (!ocids.length) return { pairs: 0, moved: 0 };
  await fillKeys(db);
  let pairs = 0;
  const touched = new Set<string>();
  for (const part of chunks([...new Set(ocids)].sort(), 200)) {
    pairs += await inStoreTransaction(db, async (store) => {
      const rows = await rowsOf(store, part);
      const byOcid = new Map(rows.map((r) => [r.ocid, r]));
      const links = new Map<string, Link>();
      const held = new Map<string, number>();
      const cached = new Map<string, TwinCandidate>();
      const asCandidate = (r: Row) => cached.get(r.ocid) ?? cached.set(r.ocid, candidate(r)).get(r.ocid)!;
      const link = (a: Row, b: Row): boolean => {
        const verdict = sameProcurement(asCandidate(a), asCandidate(b));
        if (!verdict.twins) return false;
        const reasons = JSON.stringify(verdict.reasons);
        for (const [x, y] of [[a, b], [b, a]]) {
          const k = `${x.ocid}\u0000${y.ocid}`;
          if (!links.has(k)) held.set(x.ocid, (held.get(x.ocid) ?? 0) + 1);
          links.set(k, { ocid: x.ocid, twin_ocid: y.ocid, score: verdict.score, reasons, found_at: now });
        }
        return true;
      };
      // Links these tenders had: each judged again with the notices as they are now; those that fail go.
      const old: Array<{ ocid: string; twin_ocid: string }> = [];
      for (const p of chunks(part, 90)) old.push(...(await store.selectFrom('tender_twins').select(['ocid', 'twin_ocid']).where('ocid', 'in', p).execute()));
      const partners = await rowsOf(store, old.map((l) => l.twin_ocid).filter((o) => !byOcid.has(o)));
      for (const r of partners) byOcid.set(r.ocid, r);
      for (const l of old) {
        if (links.has(`${l.ocid}\u0000${l.twin_ocid}`)) continue;
        const a = byOcid.get(l.ocid);
        const b = byOcid.get(l.twin_ocid);
        if (a && b && link(a, b)) continue;
        await store.deleteFrom('tender_twins').where((eb) => eb.or([eb.and([eb('ocid', '=', l.ocid), eb('twin_ocid', '=', l.twin_ocid)]), eb.and([eb('ocid', '=', l.twin_ocid), eb('twin_ocid', '=', l.ocid)])])).execute();
        touched.add(l.ocid).add(l.twin_ocid);
      }
      // A tender is linked to a few twins (a set of them is joined through each other), so that a notice published a
      // hundred times costs no more than one published twice: those that hold enough links are not looked for again.
      const looking = rows.filter((r) => (held.get(r.ocid) ?? 0) < TWINS_PER_TENDER);
      const candidates = await candidatesOf(store, looking);
      for (const r of looking) {
        // Those sharing the same plain title first, then the nearest in publication date: a bounded number each.
        const at = r.published_at ? Date.parse(r.published_at) : NaN;
        const nearest = (candidates.get(r.ocid) ?? [])
          .map((c) => ({ c, title: c.title_key === r.title_key ? 0 : 1, gap: Number.isNaN(at) || !c.published_at ? Infinity : Math.abs(Date.parse(c.published_at) - at) }))
          .sort((x, y) => x.title - y.title || x.gap - y.gap || (x.c.ocid < y.c.ocid ? -1 : 1))
          .slice(0, CANDIDATES_PER_TENDER);
        for (const { c } of nearest) {
          if (links.has(`${r.ocid}\u0000${c.ocid}`)) continue;
          if (link(r, c) && (held.get(r.ocid) ?? 0) >= TWINS_PER_TENDER) break;
        }
      }
      await bulkWriter(store).insert('tender_twins', [...links.values()], ['ocid', 'twin_ocid'], ['score', 'reasons']);
      for (const l of links.values()) touched.add(l.ocid);
      for (const r of rows) if (r.twin_of) touched.add(r.ocid);
      return links.size / 2;
    });
  }
  const moved = await settleStandsFor(db, [...touched], now);
  return { pairs, moved };
}

/**
 * linkTwins for these changed tenders and every tender still waiting in the match queue: a run stopped after
 * storing tenders but before linking them left them queued (they are queued before their rows are written), so the
 * next run links them too, and the sets come out as one uninterrupted run makes them.
 */
export async function linkChangedTwins(db: Db, changed: string[], now: string): Promise<TwinLinks> {
  const ocids = new Set(changed);
  for (let after = ''; ; ) {
    const page = await queuedOcids(db, after, 5000);
    if (!page.length) break;
    for (const o of page) ocids.add(o);
    after = page[page.length - 1];
  }
  return linkTwins(db, [...ocids], now);
}

/** Sets twin_of over each set of twins these tenders belong to; returns how many tenders' twin_of changed. */
async function settleStandsFor(db: Db, ocids: string[], now: string): Promise<number> {
  if (!ocids.length) return 0;
  // Every set these tenders belong to, read breadth first, 90 tenders a query.
  const neighbours = new Map<string, string[]>();
  for (let frontier = [...new Set(ocids)]; frontier.length; ) {
    for (const o of frontier) neighbours.set(o, []);
    const next = new Set<string>();
    for (const p of chunks(frontier, 90)) {
      for (const l of await db.selectFrom('tender_twins').select(['ocid', 'twin_ocid']).where('ocid', 'in', p).execute()) {
        neighbours.get(l.ocid)!.push(l.twin_ocid);
        if (!neighbours.has(l.twin_ocid)) next.add(l.twin_ocid);
      }
    }
    frontier = [...next];
  }
  const setOf = new Map<string, string>();
  const find = (o: string): string => {
    let root = o;
    while (setOf.has(root) && setOf.get(root) !== root) root = setOf.get(root)!;
    setOf.set(o, root);
    return root;
  };
  for (const [o, list] of neighbours) for (const n of list) if (find(o) !== find(n)) setOf.set(find(n), find(o));
  const rows = await rowsOf(db, [...neighbours.keys()]);
  const sets = new Map<string, Row[]>();
  for (const r of rows) {
    const at = find(r.ocid);
    const members = sets.get(at);
    if (members) members.push(r);
    else sets.set(at, [r]);
  }
  const changed: Array<{ ocid: string; want: string | null }> = [];
  for (const members of sets.values()) {
    const head = members.length > 1 ? standsFor(members.map((r) => ({ ocid: r.ocid, publishedAt: r.published_at }))) : null;
    for (const r of members) {
      const want = head && r.ocid !== head ? head : null;
      if (r.twin_of !== want) changed.push({ ocid: r.ocid, want });
    }
  }
  await inStoreTransaction(db, async (store) => {
    // Many tenders a statement (one CASE over their ocids), not one statement each: a bulk ingest of copies moves
    // most of its tenders. 30 a statement keeps within D1's 100 bound parameters.
    for (const part of chunks(changed, 30)) {
      const to = sql.join(part.map((c) => sql`WHEN ${c.ocid} THEN ${c.want}`), sql` `);
      await store
        .updateTable('tenders')
        .set({ twin_of: sql<string | null>`CASE ocid ${to} END` })
        .where('ocid', 'in', part.map((c) => c.ocid))
        .execute();
    }
    await queueForMatching(bulkWriter(store), changed.map((c) => c.ocid), now);
  });
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
