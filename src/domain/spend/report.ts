/**
 * The spend report: of the spend a council can influence, what share goes to suppliers in its own area, in a
 * wider area (its combined authority or a named place), in its ITL1 region and in the UK; to SMEs and to VCSEs;
 * by financial quarter and by category; and where spend leaks out although local suppliers could do the work.
 * The method is the community wealth building one (CLES's Preston spend analysis, Tussell's local government
 * procurement index), made exact about its denominators:
 *
 * - total: every stored payment line (refunds net off).
 * - excluded: payroll and tax lines and payments to other public bodies (by default), reported by reason.
 * - influenceable = total − excluded.
 * - unresolved: influenceable spend whose payee is not a known supplier (redacted individuals included); its
 *   share is of influenceable spend. It is never counted as local or non-local.
 * - place shares: of influenceable spend with resolved suppliers whose place is known at that level; spend with
 *   suppliers whose place is not known there (`not_known`) is left out of that denominator and reported.
 * - SME share: of influenceable resolved spend whose supplier's size is known. VCSE share: of influenceable
 *   resolved spend; a supplier is VCSE when a source or its name says so, and otherwise counted as not.
 *
 * Pure: it is given the rolled-up spend, what is known of each payee, the buyers' areas and the registered local
 * suppliers, and returns the report.
 */
import type { Exclusion, PayeeKind } from './payees.js';
import { EXCLUSIONS } from './payees.js';
import { describeQuarter, quarterMonths, quarterRange } from './quarters.js';
import { divisionLabel } from './category.js';
import { describeArea, ownAreaOf, regionOf, searchRegionOf, widerAreaOf, within, type Area, type BuyerArea, type SupplierPlace } from './places.js';
import { pounds } from './values.js';

/** One rollup cell: spend of one buyer with one payee in one quarter and category. */
export interface SpendCell {
  buyerId: string;
  quarter: string;
  payeeKey: string;
  category: string | null;
  /** Read off the lines: payroll or tax; null otherwise. */
  exclusion: Exclusion | null;
  pence: number;
  payments: number;
}

/** Payees are per buyer: the key of a payee in the facts map. */
export const payeeRef = (buyerId: string, payeeKey: string): string => `${buyerId}\u0000${payeeKey}`;

export interface PayeeFacts {
  payeeKey: string;
  name: string;
  kind: PayeeKind;
  /** 'registry' | 'award' | 'directory' | 'analyst'; null = unresolved. */
  source: string | null;
  supplierRef: string | null;
  supplierName: string | null;
  method: string;
  confidence: number;
  postcode: string | null;
  place: SupplierPlace | null;
  sme: boolean | null;
  vcse: boolean | null;
}

/** A registered supplier (or cooperative) based in an area, with the CPV divisions it can deliver. */
export interface LocalSupplier {
  id: string;
  name: string;
  kind: string;
  place: SupplierPlace | null;
  divisions: string[];
}

export interface NamedPlace {
  name: string;
  codes: string[];
  /** Set when the place is a combined authority as geo names them. */
  combinedAuthority: string | null;
}

export type ShareLevel = 'own_area' | 'named_place' | 'itl1' | 'uk';

export interface ReportOptions {
  /** Which exclusions apply; default every one. */
  exclude?: readonly Exclusion[];
  place?: NamedPlace | null;
  topSuppliers?: number;
  topLeaks?: number;
  /** Where the officer supplier search lives, for leakage links. */
  searchPath?: string;
  localSuppliers?: readonly LocalSupplier[];
  /** Words for the view: 'spend' (payments) or 'awards' (contracted value). */
  view?: 'spend' | 'awards';
}

const OF = {
  unresolved: 'influenceable spend',
  place: 'influenceable spend with resolved suppliers whose place is known at this level',
  sme: 'influenceable spend with resolved suppliers whose size is known',
  vcse: 'influenceable spend with resolved suppliers',
} as const;

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10000) / 10000);

class Tally {
  inside = 0;
  outside = 0;
  unknown = 0;
  add(answer: boolean | null, pence: number) {
    if (answer === true) this.inside += pence;
    else if (answer === false) this.outside += pence;
    else this.unknown += pence;
  }
  view(of: string, area: string | null = null) {
    const denominator = this.inside + this.outside;
    return {
      ...(area !== null ? { area } : {}),
      share: ratio(this.inside, denominator),
      amount: pounds(this.inside),
      denominator: pounds(denominator),
      not_known: pounds(this.unknown),
      of,
    };
  }
}

interface Bucket {
  total: number;
  payments: number;
  influenceable: number;
  resolved: number;
  unresolved: number;
  levels: Record<ShareLevel, Tally>;
  sme: Tally;
  vcse: Tally;
}

const newBucket = (): Bucket => ({
  total: 0,
  payments: 0,
  influenceable: 0,
  resolved: 0,
  unresolved: 0,
  levels: { own_area: new Tally(), named_place: new Tally(), itl1: new Tally(), uk: new Tally() },
  sme: new Tally(),
  vcse: new Tally(),
});

function levelsView(b: Bucket, areas: Record<ShareLevel, string | null>) {
  return {
    own_area: b.levels.own_area.view(OF.place, areas.own_area),
    named_place: areas.named_place === null ? null : b.levels.named_place.view(OF.place, areas.named_place),
    itl1: b.levels.itl1.view(OF.place, areas.itl1),
    uk: b.levels.uk.view(OF.place),
  };
}

interface SupplierTotal {
  identity: string;
  /** The buyer of its first cell (a supplier of several buyers is listed once). */
  buyerId: string;
  facts: PayeeFacts;
  payees: Set<string>;
  influenceable: number;
  inside: Record<ShareLevel, boolean | null>;
  leak: number;
  leakByCategory: Map<string, number>;
  alternatives: Map<string, LocalSupplier>;
}

/** `payees` is keyed by payeeRef(buyer, payee). */
export function computeReport(cells: readonly SpendCell[], payees: ReadonlyMap<string, PayeeFacts>, buyers: readonly BuyerArea[], options: ReportOptions = {}) {
  return planReport(cells, payees, buyers, options).finish(cells, payees);
}

/**
 * The same report from the two rollups a large report reads: shares, quarters and categories from cells by payee
 * class (see payeeClassOf; their payeeKey is the class), suppliers and leakage from cells by payee over the period.
 */
export function computeReportFromRollups(
  classCells: readonly SpendCell[],
  supplierCells: readonly SpendCell[],
  supplierPayees: ReadonlyMap<string, PayeeFacts>,
  buyers: readonly BuyerArea[],
  options: ReportOptions = {},
) {
  const classes = new Map<string, PayeeFacts>();
  const seen = new Set<string>();
  for (const c of classCells) {
    if (seen.has(c.payeeKey)) continue;
    seen.add(c.payeeKey);
    const facts = factsOfClass(c.payeeKey);
    for (const b of buyers) classes.set(payeeRef(b.buyerId, c.payeeKey), facts);
  }
  return planReportFromClasses(classCells, buyers, options).finish(supplierCells, supplierPayees);
}

/** planReport over class cells (see computeReportFromRollups): the shares, and what to ask of the store for the lists. */
export function planReportFromClasses(classCells: readonly SpendCell[], buyers: readonly BuyerArea[], options: ReportOptions = {}, categoryCells?: readonly SpendCell[]) {
  const classes = new Map<string, PayeeFacts>();
  const seen = new Set<string>();
  for (const c of [...classCells, ...(categoryCells ?? [])]) {
    if (seen.has(c.payeeKey)) continue;
    seen.add(c.payeeKey);
    const facts = factsOfClass(c.payeeKey);
    for (const b of buyers) classes.set(payeeRef(b.buyerId, c.payeeKey), facts);
  }
  return planReport(classCells, classes, buyers, options, categoryCells);
}

const field = (v: string | boolean | null) => (v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : v);
const unfield = (v: string) => (v === '' ? null : v);
const unflag = (v: string) => (v === '' ? null : v === '1');

/**
 * What the shares need of a payee, as one key: `kind|resolved|lad|itl3|itl1|combined authority|uk|sme|vcse`.
 * Payees with the same key count the same in every share, so a report can sum them before it looks.
 */
export function payeeClassOf(f: PayeeFacts): string {
  const p = f.place;
  return [f.kind, f.source ? '1' : '0', field(p?.lad ?? null), field(p?.itl3 ?? null), field(p?.itl1 ?? null), field(p?.combinedAuthority ?? null), field(p ? p.uk : null), field(f.sme), field(f.vcse)].join('|');
}

export function factsOfClass(key: string): PayeeFacts {
  const [kind, resolved, lad, itl3, itl1, ca, uk, sme, vcse] = key.split('|');
  const placed = !!(lad || itl3 || itl1 || uk);
  return {
    payeeKey: key,
    name: key,
    kind: (kind || 'unknown') as PayeeKind,
    source: resolved === '1' ? 'class' : null,
    supplierRef: null,
    supplierName: null,
    method: 'class',
    confidence: 1,
    postcode: null,
    place: placed ? { lad: unfield(lad), itl3: unfield(itl3), itl1: unfield(itl1), combinedAuthority: unfield(ca), uk: unflag(uk) } : null,
    sme: unflag(sme),
    vcse: unflag(vcse),
  };
}

/**
 * A report in two steps. The plan reads the share cells (every share, quarter and category, and how much leaks
 * out of the headline area, are told from them alone) and says which payees (or payee classes) are outside that
 * area, and in which categories local firms exist, per buyer; `finish` then ranks suppliers and leakers from
 * supplier cells. Given every supplier cell, `finish` lists exactly what computeReport does; a store may give only
 * the cells of the suppliers it found to lead each list, with the count of leaking suppliers per category.
 */
export function planReport(
  cells: readonly SpendCell[],
  payees: ReadonlyMap<string, PayeeFacts>,
  buyers: readonly BuyerArea[],
  options: ReportOptions = {},
  /** The same spend by category (quarter ''), when `cells` are by quarter only (category null). */
  categoryCells?: readonly SpendCell[],
) {
  const exclude = new Set(options.exclude ?? EXCLUSIONS);
  const place = options.place ?? null;
  const searchPath = options.searchPath ?? '/suppliers';
  const buyerAreas = new Map(
    buyers.map((b) => {
      const named: Area | null = place ? { kind: 'place', name: place.name, codes: place.codes, combinedAuthority: place.combinedAuthority } : widerAreaOf(b);
      return [b.buyerId, { own_area: ownAreaOf(b), named_place: named, itl1: regionOf(b), uk: { kind: 'uk' } as Area } as Record<ShareLevel, Area | null>];
    }),
  );
  const single = buyers.length === 1 ? buyerAreas.get(buyers[0].buyerId)! : null;
  const areaNames: Record<ShareLevel, string | null> = {
    own_area: single ? describeArea(single.own_area) : buyers.length ? 'each buyer’s own area' : null,
    named_place: place ? place.name : single ? describeArea(single.named_place) : null,
    itl1: single ? describeArea(single.itl1) : buyers.length ? 'each buyer’s region' : null,
    uk: 'United Kingdom',
  };

  const all = newBucket();
  const quarters = new Map<string, Bucket>();
  const categories = new Map<string, Bucket>();
  const excluded: Record<Exclusion, number> = { payroll: 0, tax: 0, public_body: 0 };
  const included: Record<Exclusion, number> = { payroll: 0, tax: 0, public_body: 0 };
  let individuals = 0;
  const bucketOf = (map: Map<string, Bucket>, key: string) => {
    let b = map.get(key);
    if (!b) map.set(key, (b = newBucket()));
    return b;
  };
  const unknownPayee = (key: string): PayeeFacts => ({
    payeeKey: key, name: key, kind: 'unknown', source: null, supplierRef: null, supplierName: null, method: 'none', confidence: 0, postcode: null,
    place: null, sme: null, vcse: null,
  });

  const noAreas = { own_area: null, named_place: null, itl1: null, uk: { kind: 'uk' } as Area };
  const LEVELS: ShareLevel[] = ['own_area', 'named_place', 'itl1', 'uk'];
  const answersFor = (buyerId: string, at: SupplierPlace | null): Record<ShareLevel, boolean | null> => {
    const areas = buyerAreas.get(buyerId) ?? noAreas;
    const answers = {} as Record<ShareLevel, boolean | null>;
    for (const level of LEVELS) {
      const area = areas[level];
      answers[level] = area ? within(at, area) : null;
    }
    return answers;
  };
  // A payee's facts and where it is against its buyer's areas, looked up once per buyer and payee: a regional
  // report reads a hundred thousand cells of a few thousand payees (or payee classes).
  type Known = { facts: PayeeFacts | undefined; answers: Record<ShareLevel, boolean | null> | null };
  const lookupIn = (map: ReadonlyMap<string, PayeeFacts>) => {
    const byBuyer = new Map<string, Map<string, Known>>();
    return (buyerId: string, payeeKey: string): Known => {
      let m = byBuyer.get(buyerId);
      if (!m) byBuyer.set(buyerId, (m = new Map()));
      let k = m.get(payeeKey);
      if (!k) {
        const facts = map.get(payeeRef(buyerId, payeeKey));
        k = { facts, answers: facts?.source ? answersFor(buyerId, facts.place) : null };
        m.set(payeeKey, k);
      }
      return k;
    };
  };
  const shareFacts = lookupIn(payees);
  const shareResolved: Array<{ cell: SpendCell; answers: Record<ShareLevel, boolean | null> }> = [];
  let first: string | null = null;
  let last: string | null = null;

  /**
   * Adds one cell to the buckets given (the whole report, its quarter, its category); `counts` says whether its
   * exclusions and individuals count (cells given twice, once by quarter and once by category, count once).
   */
  const addCell = (cell: SpendCell, buckets: Bucket[], counts: boolean, leaks: boolean) => {
    const known = shareFacts(cell.buyerId, cell.payeeKey);
    const facts = known.facts ?? unknownPayee(cell.payeeKey);
    const reason: Exclusion | null = cell.exclusion ?? (facts.kind === 'public_body' ? 'public_body' : null);
    const pence = cell.pence;
    for (const b of buckets) {
      b.total += pence;
      b.payments += cell.payments;
    }
    if (reason && exclude.has(reason)) {
      if (counts) excluded[reason] += pence;
      return;
    }
    if (reason && counts) included[reason] += pence;
    for (const b of buckets) b.influenceable += pence;
    if (!facts.source) {
      for (const b of buckets) b.unresolved += pence;
      if (facts.kind === 'individual' && counts) individuals += pence;
      return;
    }
    const answers = known.answers!;
    if (leaks) shareResolved.push({ cell, answers });
    for (const b of buckets) {
      b.resolved += pence;
      for (const level of LEVELS) b.levels[level].add(answers[level], pence);
      b.sme.add(facts.sme, pence);
      b.vcse.add(facts.vcse === true, pence);
    }
  };
  for (const cell of cells) {
    if (!first || cell.quarter < first) first = cell.quarter;
    if (!last || cell.quarter > last) last = cell.quarter;
    const q = bucketOf(quarters, cell.quarter);
    if (categoryCells) addCell(cell, [all, q], true, false);
    else addCell(cell, [all, q, bucketOf(categories, cell.category ?? '')], true, true);
  }
  for (const cell of categoryCells ?? []) addCell(cell, [bucketOf(categories, cell.category ?? '')], false, true);

  // The headline level: the place a report was asked for, else the narrowest area whose share can be told at all.
  const order: ShareLevel[] = place ? ['named_place', 'own_area', 'itl1', 'uk'] : ['own_area', 'named_place', 'itl1', 'uk'];
  const headline: ShareLevel = order.find((l) => {
    const t = all.levels[l];
    return areaNames[l] !== null && t.inside + t.outside > 0;
  }) ?? 'itl1';

  // Leakage: spend with suppliers outside the headline area, in categories where a registered local supplier can do that work.
  const locals = options.localSuppliers ?? [];
  const alternativesCache = new Map<string, LocalSupplier[]>();
  const alternativesFor = (buyerId: string, division: string): LocalSupplier[] => {
    const key = `${buyerId}\u0000${division}`;
    let hit = alternativesCache.get(key);
    if (!hit) {
      const area = buyerAreas.get(buyerId)?.[headline];
      hit = area ? locals.filter((l) => l.divisions.includes(division) && within(l.place, area) === true) : [];
      alternativesCache.set(key, hit);
    }
    return hit;
  };
  const leakCategories = new Map<string, { pence: number; suppliers: Set<string>; buyerId: string }>();
  const outsideKeys = new Map<string, Set<string>>();
  const addressable = new Map<string, Set<string>>();
  let leakTotal = 0;
  let outsideTotal = 0;
  for (const { cell, answers } of shareResolved) {
    if (answers[headline] !== false) continue;
    outsideTotal += cell.pence;
    let keys = outsideKeys.get(cell.buyerId);
    if (!keys) outsideKeys.set(cell.buyerId, (keys = new Set()));
    keys.add(cell.payeeKey);
    if (!cell.category || !alternativesFor(cell.buyerId, cell.category).length) continue;
    let divisions = addressable.get(cell.buyerId);
    if (!divisions) addressable.set(cell.buyerId, (divisions = new Set()));
    divisions.add(cell.category);
    leakTotal += cell.pence;
    let lc = leakCategories.get(cell.category);
    if (!lc) leakCategories.set(cell.category, (lc = { pence: 0, suppliers: new Set(), buyerId: cell.buyerId }));
    lc.pence += cell.pence;
  }

  const finish = (supplierCells: readonly SpendCell[], supplierPayees: ReadonlyMap<string, PayeeFacts>, leakingSuppliers?: ReadonlyMap<string, number>) => {
    // Suppliers, from cells by payee: the influenceable spend of each resolved supplier and where it is.
    const suppliers = new Map<string, SupplierTotal>();
    const supplierFacts = lookupIn(supplierPayees);
    for (const cell of supplierCells) {
      const known = supplierFacts(cell.buyerId, cell.payeeKey);
      const facts = known.facts;
      if (!facts?.source) continue;
      const reason: Exclusion | null = cell.exclusion ?? (facts.kind === 'public_body' ? 'public_body' : null);
      if (reason && exclude.has(reason)) continue;
      const answers = known.answers!;
      const identity = `${facts.source}:${facts.supplierRef ?? cell.payeeKey}`;
      let s = suppliers.get(identity);
      if (!s) {
        s = { identity, buyerId: cell.buyerId, facts, payees: new Set(), influenceable: 0, inside: answers, leak: 0, leakByCategory: new Map(), alternatives: new Map() };
        suppliers.set(identity, s);
      }
      s.payees.add(cell.payeeKey);
      s.influenceable += cell.pence;
      if (answers[headline] !== false || !cell.category) continue;
      const alternatives = alternativesFor(cell.buyerId, cell.category);
      if (!alternatives.length) continue;
      s.leak += cell.pence;
      s.leakByCategory.set(cell.category, (s.leakByCategory.get(cell.category) ?? 0) + cell.pence);
      for (const a of alternatives) s.alternatives.set(a.id, a);
      leakCategories.get(cell.category)?.suppliers.add(identity);
    }
    const headlineArea = single?.[headline] ?? (place ? ({ kind: 'place', name: place.name, codes: place.codes, combinedAuthority: place.combinedAuthority } as Area) : null);
    const searchRegion = headlineArea ? searchRegionOf(headlineArea) : null;
    const searchUrl = (division: string) => {
      const params = new URLSearchParams({ cpv: division.slice(0, 2) });
      if (searchRegion) params.set('region', searchRegion);
      return `${searchPath}?${params.toString()}`;
    };

    const supplierView = (s: SupplierTotal) => ({
      buyer_id: s.buyerId,
      payee_key: s.facts.payeeKey,
      supplier: s.facts.supplierName ?? s.facts.name,
      payee: s.facts.name,
      payee_kind: s.facts.kind,
      source: s.facts.source,
      supplier_ref: s.facts.supplierRef,
      method: s.facts.method,
      confidence: s.facts.confidence,
      postcode: s.facts.postcode,
      place: s.facts.place,
      amount: pounds(s.influenceable),
      share_of_influenceable: ratio(s.influenceable, all.influenceable),
      local: s.inside,
      sme: s.facts.sme,
      vcse: s.facts.vcse,
    });
    const ranked = [...suppliers.values()].sort((a, b) => b.influenceable - a.influenceable || (a.identity < b.identity ? -1 : 1));
    const leakers = [...suppliers.values()].filter((s) => s.leak > 0).sort((a, b) => b.leak - a.leak || (a.identity < b.identity ? -1 : 1));
    const quarterKeys = first && last ? quarterRange(first, last) : [];
    const excludedTotal = excluded.payroll + excluded.tax + excluded.public_body;

    return {
      view: options.view ?? 'spend',
      buyers: buyers.map((b) => ({
        buyer_id: b.buyerId,
        name: b.name,
        own_area: describeArea(ownAreaOf(b)),
        wider_area: describeArea(widerAreaOf(b)),
        region: describeArea(regionOf(b)),
      })),
      place: place ? { name: place.name, codes: place.codes } : null,
      period: { first_quarter: first, last_quarter: last, from: first ? describeQuarter(first)!.from : null, to: last ? describeQuarter(last)!.to : null },
      payments: all.payments,
      total: pounds(all.total),
      excluded: {
        total: pounds(excludedTotal),
        payroll: pounds(excluded.payroll),
        tax: pounds(excluded.tax),
        public_body: pounds(excluded.public_body),
        applied: [...exclude],
        included_although_excludable: { payroll: pounds(included.payroll), tax: pounds(included.tax), public_body: pounds(included.public_body) },
      },
      influenceable: pounds(all.influenceable),
      resolved: pounds(all.resolved),
      unresolved: pounds(all.unresolved),
      unresolved_individuals: pounds(individuals),
      unresolved_share: { share: ratio(all.unresolved, all.influenceable), amount: pounds(all.unresolved), denominator: pounds(all.influenceable), of: OF.unresolved },
      headline_level: headline,
      local_share: levelsView(all, areaNames),
      sme_share: all.sme.view(OF.sme),
      vcse_share: (({ not_known: _none, ...rest }) => rest)(all.vcse.view(OF.vcse)),
      by_quarter: quarterKeys.map((key) => {
        const b = quarters.get(key) ?? newBucket();
        const d = describeQuarter(key)!;
        return {
          quarter: key,
          label: d.label,
          months: quarterMonths(key),
          total: pounds(b.total),
          influenceable: pounds(b.influenceable),
          resolved: pounds(b.resolved),
          unresolved_share: ratio(b.unresolved, b.influenceable),
          local_share: levelsView(b, areaNames),
          sme_share: b.sme.view(OF.sme).share,
          vcse_share: ratio(b.vcse.inside, b.vcse.inside + b.vcse.outside),
        };
      }),
      by_category: [...categories.entries()]
        .sort((a, b) => b[1].influenceable - a[1].influenceable || (a[0] < b[0] ? -1 : 1))
        .map(([code, b]) => ({
          category: code || null,
          label: divisionLabel(code || null),
          total: pounds(b.total),
          influenceable: pounds(b.influenceable),
          resolved: pounds(b.resolved),
          unresolved_share: ratio(b.unresolved, b.influenceable),
          local_share: b.levels[headline].view(OF.place, areaNames[headline]),
          leakage: pounds(code ? leakCategories.get(code)?.pence ?? 0 : 0),
        })),
      top_suppliers: ranked.slice(0, options.topSuppliers ?? 20).map(supplierView),
      leakage: {
        level: headline,
        area: areaNames[headline],
        outside: pounds(outsideTotal),
        addressable: pounds(leakTotal),
        share_of_outside: ratio(leakTotal, outsideTotal),
        of: `influenceable resolved spend with suppliers outside ${areaNames[headline] ?? 'the area'}, in categories where at least one registered supplier based in it has that capability`,
        categories: [...leakCategories.entries()]
          .sort((a, b) => b[1].pence - a[1].pence)
          .map(([code, lc]) => ({
            category: code,
            label: divisionLabel(code),
            amount: pounds(lc.pence),
            suppliers: leakingSuppliers?.get(code) ?? lc.suppliers.size,
            local_suppliers: alternativesFor(lc.buyerId, code).length,
            search_url: searchUrl(code),
          })),
        suppliers: leakers.slice(0, options.topLeaks ?? 20).map((s) => ({
          ...supplierView(s),
          leaking: pounds(s.leak),
          categories: [...s.leakByCategory.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([code, pence]) => ({ category: code, label: divisionLabel(code), amount: pounds(pence), search_url: searchUrl(code) })),
          local_alternatives: [...s.alternatives.values()]
            .sort((a, b) => a.name.localeCompare(b.name))
            .slice(0, 10)
            .map((a) => ({ id: a.id, name: a.name, kind: a.kind })),
        })),
      },
    };
  };

  return {
    headline,
    /** Per buyer: the payee keys (payee classes, from class cells) seen outside the headline area. */
    outsideKeys,
    /** Per buyer: the categories of that outside spend in which a registered local supplier can do the work. */
    addressable,
    finish,
  };
}

export type SpendReport = ReturnType<typeof computeReport>;
export type ReportPlan = ReturnType<typeof planReport>;

/** A buyer known only by name (no postcode or region given): its areas are all unknown. */
export function bareBuyer(buyerId: string, name: string): BuyerArea {
  return { buyerId, name, regionCode: null, lad: null, ladName: null, itl3: null, itl1: null, combinedAuthority: null };
}

/**
 * The listed suppliers of a report made from rollups carry only what ranking needed; this gives them the rest
 * (names, method, confidence, postcode, size) from the full facts of the few payees listed.
 */
export function withListedFacts(report: SpendReport, full: ReadonlyMap<string, PayeeFacts>): SpendReport {
  const fill = <T extends { buyer_id: string; payee_key: string }>(s: T): T => {
    const f = full.get(payeeRef(s.buyer_id, s.payee_key));
    if (!f) return s;
    return { ...s, supplier: f.supplierName ?? f.name, payee: f.name, method: f.method, confidence: f.confidence, postcode: f.postcode, sme: f.sme, vcse: f.vcse };
  };
  return { ...report, top_suppliers: report.top_suppliers.map(fill), leakage: { ...report.leakage, suppliers: report.leakage.suppliers.map(fill) } };
}

/** The payees a report lists (top suppliers and leaking suppliers), as buyer and payee keys. */
export function listedPayees(report: SpendReport): Array<{ buyerId: string; payeeKey: string }> {
  return [...report.top_suppliers, ...report.leakage.suppliers].map((s) => ({ buyerId: s.buyer_id, payeeKey: s.payee_key }));
}
