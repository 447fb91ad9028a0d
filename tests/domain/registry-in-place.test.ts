import { describe, expect, it } from 'vitest';
import { SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import type { MatchSettings, SupplierProfile } from '../../src/domain/matching/types.js';
import { SupplierSearch, type SearchableSupplier, type SearchCursor, type SupplierQuery } from '../../src/domain/suppliers/search.js';
import { opportunity, supplier } from '../support/matching-fixtures.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };
const codes = ['45000000', '45210000', '45212200', '45310000', '50711000', '71220000', '71221000', '90500000', '90511000', '77310000', '72212000'];
const homes = ['TLM82', 'TLM93', 'TLM8', 'TLM', 'TLK41', 'TLK4', 'TLG31', 'TLL11'];
const texts = ['electrical inspection and testing', 'waste composting', 'grounds maintenance of parks', 'school building works', 'architectural design', 'electric installations', 'software development'];

function generator(seed: number) {
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const profile = (id: string): SupplierProfile =>
    supplier({
      id,
      name: `${pick(['Acme', 'Bright', 'Clyde', 'Dee'])} ${pick(texts).split(' ')[0]}`,
      cpv: [pick(codes), ...(rnd() < 0.4 ? [pick(codes)] : [])],
      homeRegion: pick(homes),
      serves: rnd() < 0.2 ? [pick(homes).slice(0, 3)] : [],
      national: rnd() < 0.08,
      maxContractValue: rnd() < 0.6 ? Math.round(rnd() * 2e6) : null,
      // Unusual words now and then, so that an added supplier brings words the built index never saw.
      description: `${pick(texts)}${rnd() < 0.2 ? ` electrikal ${id}word` : ''}`,
      keywords: rnd() < 0.3 ? [pick(['maintenance', 'testing', 'compost'])] : [],
      kind: pick(['micro', 'small', 'medium', 'vcse'] as const),
      highPotential: rnd() < 0.2,
      pastWins: rnd() < 0.15 ? [[pick(codes)]] : [],
    });
  return { rnd, pick, profile };
}

function searchable(p: SupplierProfile): SearchableSupplier {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    keywords: p.keywords,
    certifications: p.id.endsWith('3') ? ['ISO 9001'] : [],
    kind: p.kind,
    highPotential: p.highPotential,
    cpv: p.cpv,
    areas: [p.homeRegion, ...p.serves].filter((a): a is string => !!a),
    maxContractValue: p.maxContractValue,
  };
}

/**
 * Reasons name up to four shared words in the order the index's vocabulary met them, which depends on the order
 * suppliers were compiled in (an index built afresh from the same suppliers in another order differs the same
 * way): the words are compared as a count, every other reason as written.
 */
function wordless(reasons: string[]): string[] {
  return reasons.map((r) => r.replace(/shares words with the notice: (.*)\.$/, (_, list: string) => `shares ${list.split(', ').length} words with the notice.`));
}

/**
 * A registry built, then changed in place by a run of adds, changes and removes: after each step the changed
 * structures must answer exactly as ones built afresh from what is now registered.
 */
describe('the supplier registry changed in place', () => {
  const { rnd, pick, profile } = generator(29);
  const start = Array.from({ length: 300 }, (_, i) => profile(`s${String(i).padStart(4, '0')}`));
  const opps = Array.from({ length: 30 }, (_, t) =>
    opportunity({
      ocid: `o${t}`,
      cpv: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(codes)),
      places: rnd() < 0.2 ? [] : [{ code: pick(homes), national: false }],
      value: rnd() < 0.6 ? Math.round(rnd() * 1e6) : null,
      text: `${pick(texts)}\n${pick(texts)}`,
    }),
  );
  const queries: SupplierQuery[] = [
    {},
    { text: 'electrical inspection' },
    { text: 'electrikal' },
    { text: 'maintenance', boostHighPotential: true },
    { kind: 'small' },
    { cpv: ['4521'] },
    { regions: ['TLM'], minValue: 100_000 },
    { highPotential: false },
    { certification: 'iso9001', text: 'testing' },
  ];

  /** A run of changes: each step adds a new supplier, changes one held (a fresh profile under its id) or removes one. */
  function changes(steps: number): Array<{ upsert?: SupplierProfile; remove?: string }> {
    const ids = start.map((p) => p.id);
    const out: Array<{ upsert?: SupplierProfile; remove?: string }> = [];
    for (let k = 0; k < steps; k++) {
      const r = rnd();
      if (r < 0.35) {
        const id = `n${String(k).padStart(4, '0')}`;
        ids.push(id);
        out.push({ upsert: profile(id) });
      } else if (r < 0.7) out.push({ upsert: profile(pick(ids)) });
      else {
        const id = pick(ids);
        ids.splice(ids.indexOf(id), 1);
        out.push({ remove: id });
      }
    }
    return out;
  }

  it('ranks (who could bid, top-k and all) exactly as an index built afresh after every add, change and remove', () => {
    const index = new SupplierIndex(start);
    const now = new Map(start.map((p) => [p.id, p]));
    let checked = 0;
    for (const [step, change] of changes(60).entries()) {
      if (change.upsert) {
        index.upsert(change.upsert);
        now.set(change.upsert.id, change.upsert);
      } else {
        index.remove(change.remove!);
        now.delete(change.remove!);
      }
      if (step % 6 !== 5) continue;
      const fresh = new SupplierIndex([...now.values()]);
      expect(index.size).toBe(fresh.size);
      expect(index.suppliers.map((s) => s.profile.id).sort()).toEqual([...now.keys()].sort());
      for (const opp of opps) {
        for (const options of [{ limit: 5 }, { limit: 20 }, { explain: false }]) {
          const mine = index.match(index.compile(opp, NOW), NOW, SETTINGS, options);
          const theirs = fresh.match(fresh.compile(opp, NOW), NOW, SETTINGS, options);
          expect(mine.map((r) => [r.supplierId, r.score])).toEqual(theirs.map((r) => [r.supplierId, r.score]));
          expect(mine.map((r) => wordless(r.reasons))).toEqual(theirs.map((r) => wordless(r.reasons)));
          checked += mine.length;
        }
        const co = index.compile(opp, NOW);
        expect(index.candidates(co).map((i) => index.suppliers[i].profile.id).sort()).toEqual(
          fresh.candidates(fresh.compile(opp, NOW)).map((i) => fresh.suppliers[i].profile.id).sort(),
        );
        const someone = [...now.keys()][step % now.size];
        const said = (r: ReturnType<SupplierIndex['explain']>) => r && { ...r, reasons: wordless(r.reasons) };
        expect(said(index.explain(co, someone, SETTINGS, 'officer'))).toEqual(said(fresh.explain(fresh.compile(opp, NOW), someone, SETTINGS, 'officer')));
      }
      if (change.remove) expect(index.explain(index.compile(opps[0], NOW), change.remove, SETTINGS)).toBeNull();
    }
    expect(index.changedSince).toBeGreaterThan(40);
    // Not vacuous: the lists compared were long.
    expect(checked).toBeGreaterThan(2000);
  });

  it('searches (free text with look-alikes, filters, offset and cursor pages) exactly as a search built afresh', () => {
    const rows = start.map(searchable);
    const search = new SupplierSearch(rows);
    // The caller's list: a changed supplier's new row is appended, and hits name positions in it.
    const list = [...rows];
    const now = new Map(start.map((p) => [p.id, searchable(p)]));
    const page = (s: SupplierSearch, q: SupplierQuery, rowsOf: SearchableSupplier[], limit: number, offset: number) => {
      const found = s.find(q, { limit, offset });
      return { total: found.total, ids: found.hits.map((h) => h.id), docs: found.hits.map((h) => rowsOf[h.doc].id), next: found.next };
    };
    const walk = (s: SupplierSearch, q: SupplierQuery, limit: number) => {
      const ids: string[] = [];
      let after: SearchCursor | undefined;
      for (let guard = 0; guard < 200; guard++) {
        const found = s.find(q, { limit, after });
        ids.push(...found.hits.map((h) => h.id));
        if (!found.next) break;
        after = found.next;
      }
      return ids;
    };
    let compared = 0;
    for (const [step, change] of changes(50).entries()) {
      if (change.upsert) {
        const row = searchable(change.upsert);
        search.upsert(list.length, row);
        list.push(row);
        now.set(row.id, row);
      } else {
        search.remove(change.remove!);
        now.delete(change.remove!);
      }
      if (step % 5 !== 4) continue;
      const freshRows = [...now.values()];
      const fresh = new SupplierSearch(freshRows);
      expect(search.size).toBe(fresh.size);
      for (const q of queries) {
        for (const [limit, offset] of [[10, 0], [7, 14], [500, 0]]) {
          const mine = page(search, q, list, limit, offset);
          const theirs = page(fresh, q, freshRows, limit, offset);
          expect(mine).toEqual(theirs);
          // Each hit's doc is where the caller keeps that supplier's current row.
          expect(mine.docs).toEqual(mine.ids);
          compared += mine.ids.length;
        }
        expect(walk(search, q, 9)).toEqual(walk(fresh, q, 9));
        if (q.text) expect([...search.search(q.text)].sort()).toEqual([...fresh.search(q.text)].sort());
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });
});
