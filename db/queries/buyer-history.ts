/**
 * A buyer's history, for any opportunity: its past awards in the same CPV group (the first three digits of a
 * code: 453 building works, 722 software), who won, for how much, when, and whether an SME or a local firm won;
 * and the share of all its awards that went to SMEs. Used by the alert run, the matches API and the tender page
 * (call `buyerHistory` or, for many opportunities at once, `buyerHistories`).
 *
 * The buyer is recognised by its normalised name (tenders.buyer_key, as twins are), so the same council on two
 * portals is one buyer. "Local": the winner's postcode lies in the buyer's local authority or ITL3 area.
 */
import type { Db } from '../client.js';
import { chunks } from '../bulk.js';
import { readList } from '../json-columns.js';
import { placeOfPostcodeByLad } from '../../src/domain/geo/postcode-place.js';
import { buyerKey } from '../../src/domain/ocds/twins.js';

export interface PastAward {
  ocid: string;
  title: string | null;
  awarded_at: string | null;
  value_amount: number | null;
  value_currency: string | null;
  winners: Array<{ name: string | null; sme: boolean | null; local: boolean | null }>;
}

export interface BuyerHistory {
  buyer: string | null;
  /** The CPV group looked at (3 digits), or null when the opportunity has no code. */
  cpv_group: string | null;
  /** Past awards in that group, newest first (at most `limit`). */
  awards: PastAward[];
  /** How many past awards in that group there are in all. */
  awards_in_group: number;
  /** Of every winner of the buyer's awards whose size is published: how many were SMEs. */
  sme_share: { sme: number; known: number; share: number | null };
}

export interface HistoryAsk {
  buyerName: string | null;
  /** CPV codes of the opportunity, main first. */
  cpv: string[];
  /** The opportunity itself, left out of its own history. */
  ocid?: string;
}

const groupOf = (cpv: string[]) => {
  const code = cpv.find((c) => /^\d{3}/.test(c));
  return code ? code.slice(0, 3) : null;
};

const placeOf = (postcode: string | null) => {
  if (!postcode) return null;
  const p = placeOfPostcodeByLad(postcode);
  return p ? { lad: p.lad, itl3: p.itl3 } : null;
};

interface AwardRow {
  ocid: string;
  award_id: string;
  title: string | null;
  cpv_codes: string;
  buyer_key: string | null;
  buyer_postcode: string | null;
  award_date: string | null;
  date_published: string | null;
  value_amount: number | null;
  value_currency: string | null;
  name: string | null;
  scale: string | null;
  postcode: string | null;
}

/** The histories of many opportunities, reading each buyer's awards once. Keys of the answer are the asks' indexes. */
export async function buyerHistories(db: Db, asks: HistoryAsk[], limit = 3): Promise<BuyerHistory[]> {
  const keys = [...new Set(asks.map((a) => buyerKey(a.buyerName)).filter((k): k is string => !!k))];
  const byBuyer = new Map<string, AwardRow[]>();
  for (const part of chunks(keys, 200)) {
    if (!part.length) continue;
    const rows = await db
      .selectFrom('tenders as t')
      .innerJoin('awards as a', 'a.ocid', 't.ocid')
      .innerJoin('award_suppliers as s', (j) => j.onRef('s.ocid', '=', 'a.ocid').onRef('s.award_id', '=', 'a.award_id'))
      .select(['t.ocid', 'a.award_id', 't.title', 't.cpv_codes', 't.buyer_key', 't.buyer_postcode', 'a.award_date', 'a.date_published', 'a.value_amount', 'a.value_currency', 's.name', 's.scale', 's.postcode'])
      .where('t.buyer_key', 'in', part)
      .where('t.twin_of', 'is', null)
      .where((eb) => eb.or([eb('a.status', 'is', null), eb('a.status', 'not in', ['cancelled', 'unsuccessful'])]))
      .execute();
    for (const r of rows) {
      const list = byBuyer.get(r.buyer_key ?? '') ?? [];
      list.push(r);
      byBuyer.set(r.buyer_key ?? '', list);
    }
  }
  return asks.map((ask) => {
    const key = buyerKey(ask.buyerName);
    const rows = (key ? byBuyer.get(key) : undefined) ?? [];
    const group = groupOf(ask.cpv);
    let sme = 0;
    let known = 0;
    for (const r of rows) {
      const scale = (r.scale ?? '').toLowerCase();
      if (scale === 'sme') sme++;
      if (scale) known++;
    }
    const awards = new Map<string, PastAward & { at: number }>();
    for (const r of rows) {
      if (r.ocid === ask.ocid || !group || !readList(r.cpv_codes).some((c) => c.startsWith(group))) continue;
      const id = `${r.ocid}\u0000${r.award_id}`;
      let a = awards.get(id);
      if (!a) {
        const when = r.award_date ?? r.date_published;
        a = { ocid: r.ocid, title: r.title, awarded_at: when, value_amount: r.value_amount, value_currency: r.value_currency, winners: [], at: when ? Date.parse(when) || 0 : 0 };
        awards.set(id, a);
      }
      const buyerPlace = placeOf(r.buyer_postcode);
      const winnerPlace = placeOf(r.postcode);
      const local = buyerPlace && winnerPlace ? winnerPlace.lad === buyerPlace.lad || (!!winnerPlace.itl3 && winnerPlace.itl3 === buyerPlace.itl3) : null;
      const scale = (r.scale ?? '').toLowerCase();
      a.winners.push({ name: r.name, sme: scale ? scale === 'sme' : null, local });
    }
    const sorted = [...awards.values()].sort((x, y) => y.at - x.at || x.ocid.localeCompare(y.ocid));
    return {
      buyer: ask.buyerName,
      cpv_group: group,
      awards: sorted.slice(0, limit).map(({ at: _at, ...a }) => a),
      awards_in_group: sorted.length,
      sme_share: { sme, known, share: known ? Math.round((sme / known) * 1000) / 1000 : null },
    };
  });
}

/** One opportunity's buyer history (the tender page calls this). */
export async function buyerHistory(db: Db, ask: HistoryAsk, limit = 5): Promise<BuyerHistory> {
  return (await buyerHistories(db, [ask], limit))[0];
}

/** The history in one line of words, for an email. */
export function historyLine(h: BuyerHistory, formatValue: (amount: number | null, currency: string | null) => string | null): string | null {
  const parts: string[] = [];
  const last = h.awards[0];
  if (last) {
    const winners = last.winners.map((w) => `${w.name ?? 'a supplier'}${w.sme ? ' (SME' + (w.local ? ', local' : '') + ')' : w.local ? ' (local)' : ''}`).join(', ');
    const value = formatValue(last.value_amount, last.value_currency);
    const year = last.awarded_at ? last.awarded_at.slice(0, 4) : null;
    parts.push(`${h.awards_in_group} past award${h.awards_in_group === 1 ? '' : 's'} by this buyer in CPV group ${h.cpv_group}; last won by ${winners}${value ? ` for ${value}` : ''}${year ? ` in ${year}` : ''}`);
  }
  if (h.sme_share.share !== null) parts.push(`${Math.round(h.sme_share.share * 100)}% of its awards went to SMEs (${h.sme_share.sme} of ${h.sme_share.known})`);
  return parts.length ? parts.join('; ') : null;
}
