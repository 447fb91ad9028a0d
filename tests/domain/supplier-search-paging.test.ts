import { describe, expect, it } from 'vitest';
import { cpvSignificant } from '../../src/domain/cpv/index.js';
import { nameKey, SupplierSearch, type SearchableSupplier, type SearchCursor, type SupplierQuery } from '../../src/domain/suppliers/search.js';

/** A small registry whose fields repeat, so that every filter has ties to break by name. */
const TRADES = [
  ['Electrical inspection and testing', ['50711000', '45310000']],
  ['Grounds maintenance and grass cutting', ['77310000']],
  ['Software development', ['72212000']],
  ['Road repairs and resurfacing', ['45233140']],
  ['Composting of green waste', ['90500000']],
] as const;
const AREAS = [['TLM82'], ['TLG31', 'TLG3'], ['TLK'], [], ['TLM', 'TLL']];
const suppliers: SearchableSupplier[] = Array.from({ length: 240 }, (_, i) => {
  const [description, cpv] = TRADES[i % TRADES.length];
  return {
    id: `sup_${String(i).padStart(3, '0')}`,
    name: `${['Acme', 'Bright', 'Clyde', 'Dee'][i % 4]} ${description.split(' ')[0]} ${i % 7}`,
    description,
    keywords: i % 3 ? [] : ['maintenance'],
    certifications: i % 5 === 0 ? ['ISO 9001:2015'] : i % 5 === 1 ? ['Cyber Essentials'] : [],
    kind: ['micro', 'small', 'medium', 'vcse'][i % 4],
    highPotential: i % 6 === 0,
    cpv: [...cpv],
    areas: AREAS[i % AREAS.length],
    maxContractValue: i % 4 === 0 ? null : 50_000 * (1 + (i % 9)),
  };
});
const search = new SupplierSearch(suppliers);

/** The same query answered by reading every supplier, as the route once did. */
function naive(q: SupplierQuery): string[] {
  const relevance = q.text ? search.search(q.text) : null;
  const hits = suppliers.filter((s) => {
    if (relevance && !relevance.has(s.id)) return false;
    if (q.kind && s.kind !== q.kind) return false;
    if (q.highPotential !== undefined && s.highPotential !== q.highPotential) return false;
    if (q.cpv && !q.cpv.some((w) => s.cpv!.map(cpvSignificant).some((c) => c.startsWith(w) || w.startsWith(c)))) return false;
    if (q.regions && !q.regions.some((r) => r === 'TL' || s.areas!.some((a) => a.startsWith(r) || r.startsWith(a)))) return false;
    if (q.minValue !== undefined && s.maxContractValue !== null && s.maxContractValue! < q.minValue) return false;
    if (q.certification && !s.certifications.some((c) => c.toLowerCase().replace(/[^a-z0-9]+/g, '').includes(q.certification!))) return false;
    return true;
  });
  const boost = q.boostHighPotential ?? false;
  return hits
    .sort(
      (a, b) =>
        (relevance ? relevance.get(b.id)! - relevance.get(a.id)! : 0) ||
        (boost ? Number(b.highPotential) - Number(a.highPotential) : 0) ||
        (nameKey(a.name) < nameKey(b.name) ? -1 : nameKey(a.name) > nameKey(b.name) ? 1 : 0) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        (a.id < b.id ? -1 : 1),
    )
    .map((s) => s.id);
}

function byCursor(q: SupplierQuery, limit: number): { ids: string[]; totals: number[] } {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: SearchCursor | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = search.find(q, { limit, after });
    ids.push(...page.hits.map((h) => h.id));
    totals.push(page.total);
    if (!page.next) break;
    after = page.next;
  }
  return { ids, totals };
}

const QUERIES: SupplierQuery[] = [
  {},
  { boostHighPotential: true },
  { text: 'maintenance' },
  { text: 'maintenence', boostHighPotential: true },
  { text: 'electrical testing', regions: ['TLM'] },
  { kind: 'small' },
  { highPotential: true },
  { highPotential: false, boostHighPotential: true },
  { cpv: ['45'] },
  { cpv: ['4531'], kind: 'micro' },
  { cpv: ['7731', '90'], regions: ['TLM82'] },
  { regions: ['TLG'] },
  { regions: ['TL'] },
  { minValue: 300_000 },
  { certification: 'iso9001' },
  { certification: 'cyber', boostHighPotential: true, minValue: 100_000 },
  { text: 'software', certification: 'iso9001' },
  { text: 'plumbing' },
];

describe('officer search pages', () => {
  it.each(QUERIES.map((q) => [JSON.stringify(q), q] as const))('%s: the same suppliers in the same order as reading every one, by cursor and by offset', (_, q) => {
    const expected = naive(q);
    for (const limit of [1, 7, 50]) {
      const { ids, totals } = byCursor(q, limit);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
      const offsetPage = search.find(q, { limit, offset: 3 });
      expect(offsetPage.hits.map((h) => h.id)).toEqual(expected.slice(3, 3 + limit));
    }
  });

  it('goes on from a cursor whose supplier has since left the registry', () => {
    const q: SupplierQuery = { kind: 'small' };
    const all = naive(q);
    const first = search.find(q, { limit: 10 });
    const smaller = new SupplierSearch(suppliers.filter((s) => s.id !== first.next!.id));
    const rest = smaller.find(q, { limit: 500, after: first.next! });
    expect(rest.hits.map((h) => h.id)).toEqual(all.slice(10));
  });
});
