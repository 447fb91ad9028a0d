/**
 * Supplier registration rules: validation of a profile (every bad field named), the high-potential
 * definition, and the profile the matcher reads (cooperatives combined from their members).
 */
import { normaliseCpv } from '../cpv/index.js';
import { itlLevel, itlWithin, normalisePostcode, postcodeToItl1, resolvePlace, toItl } from '../geo/index.js';
import { SUPPLIER_KINDS, type SupplierKind, type SupplierProfile } from '../matching/types.js';

export const TURNOVER_BANDS = ['under-100k', '100k-1m', '1m-10m', '10m-50m', 'over-50m'] as const;
export const STAFF_BANDS = ['0-9', '10-49', '50-249', '250+'] as const;

export interface GrowthPoint {
  year: number;
  turnover: number | null;
  employees: number | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** A validated profile, ready to store. */
export interface SupplierInput {
  name: string;
  kind: SupplierKind;
  companyNumber: string | null;
  postcode: string | null;
  homeRegion: string | null;
  serves: string[];
  national: boolean;
  cpv: string[];
  description: string | null;
  keywords: string[];
  excludeWords: string[];
  maxContractValue: number | null;
  turnoverBand: string | null;
  staffBand: string | null;
  certifications: string[];
  contactEmail: string | null;
  growth: GrowthPoint[] | null;
  members: string[];
  highPotentialOverride: boolean | null;
}

/**
 * A supplier profile's fields as sent, once their shape is checked (the HTTP body schema lives with the routes,
 * src/routes/suppliers.schema.ts); checkSupplier reads what they mean. Field names are the profile's own.
 */
export interface SupplierFields {
  name?: string;
  kind?: SupplierKind;
  company_number?: string | null;
  postcode?: string | null;
  home_region?: string | null;
  serves?: string[];
  national?: boolean;
  cpv_codes?: string[];
  description?: string | null;
  keywords?: string[];
  exclude_words?: string[];
  max_contract_value?: number | null;
  turnover_band?: (typeof TURNOVER_BANDS)[number] | null;
  staff_band?: (typeof STAFF_BANDS)[number] | null;
  certifications?: string[];
  contact_email?: string | null;
  growth?: Array<{ year: number; turnover?: number | null; employees?: number | null }> | null;
  members?: string[];
  high_potential_override?: boolean | null;
}


// Companies House numbers: 8 digits, or a two-letter register prefix and 6 digits (SC, NI, OC, SO, ...).
const CH_PREFIXES = new Set([
  'AC', 'CE', 'CS', 'FC', 'FE', 'GE', 'GN', 'GS', 'IC', 'IP', 'LP', 'NA', 'NC', 'NF', 'NI', 'NL', 'NO', 'NP', 'NR', 'NZ',
  'OC', 'PC', 'R0', 'RC', 'RS', 'SA', 'SC', 'SE', 'SF', 'SG', 'SI', 'SL', 'SO', 'SP', 'SR', 'SZ', 'ZC',
]);

/** `sc123456`, `1234567` → `SC123456`, `01234567`; null when it cannot be a Companies House number. */
export function normaliseCompanyNumber(input: string): string | null {
  const c = input.replace(/\s+/g, '').toUpperCase();
  if (/^\d{6,8}$/.test(c)) return c.padStart(8, '0');
  const m = /^([A-Z][A-Z0-9])(\d{6})$/.exec(c);
  return m && CH_PREFIXES.has(m[1]) ? c : null;
}

/** The stored place of a supplier that a PATCH changes: what a new postcode or home_region is checked against. */
export interface StoredPlace {
  postcode: string | null;
  homeRegion: string | null;
}

/**
 * Checks what a profile's fields mean (`partial` for PATCH, or for the fields that passed the schema when others
 * did not: only the fields given, checked against the `stored` place). Returns every problem, or the clean values.
 * Cooperative members' existence is checked by the caller.
 *
 * Postcodes resolve only to an ITL1 region, so a finer home_region is kept as long as it lies inside the
 * postcode's region: a new postcode in the same region keeps the stored home_region, one elsewhere
 * replaces it with the postcode's region. A home_region outside the postcode's region is refused.
 */
export function checkSupplier(
  b: SupplierFields,
  options: { partial?: boolean; stored?: StoredPlace } = {},
): { ok: true; value: Partial<SupplierInput>; given: Set<string> } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const given = new Set(Object.keys(b));
  const v: Partial<SupplierInput> = {};
  if (b.name !== undefined) v.name = b.name;
  if (b.kind !== undefined) v.kind = b.kind;

  if (b.company_number !== undefined) {
    if (b.company_number === null || b.company_number.trim() === '') v.companyNumber = null;
    else {
      const n = normaliseCompanyNumber(b.company_number);
      if (!n) problems.push({ field: 'company_number', message: 'is not a Companies House number (8 digits, or 2 letters such as SC and 6 digits)' });
      else v.companyNumber = n;
    }
  }

  let postcodeItl1: string | null = null;
  if (b.postcode !== undefined) {
    if (b.postcode === null || b.postcode.trim() === '') {
      if (!options.partial) problems.push({ field: 'postcode', message: 'is required: the UK postcode where the supplier is based' });
      v.postcode = null;
    } else {
      const pc = normalisePostcode(b.postcode);
      const place = pc ? postcodeToItl1(pc) : null;
      if (!pc) problems.push({ field: 'postcode', message: `"${b.postcode}" is not a UK postcode (like B15 2TT)` });
      else if (!place) problems.push({ field: 'postcode', message: `${pc} is not in a known UK postcode area` });
      else {
        v.postcode = pc;
        postcodeItl1 = place.code;
        const kept = options.stored?.homeRegion;
        v.homeRegion = kept && b.home_region === undefined && itlWithin(kept, place.code) ? kept : place.code;
      }
    }
  } else if (!options.partial) {
    problems.push({ field: 'postcode', message: 'is required: the UK postcode where the supplier is based' });
  }

  if (b.home_region !== undefined && b.home_region !== null) {
    const code = toItl(b.home_region) ?? resolvePlace(b.home_region).find((t) => !t.national)?.code ?? null;
    // The region the home_region must lie in: the new postcode's, else (PATCH) the stored postcode's.
    const storedItl1 = b.postcode === undefined && options.stored?.postcode ? (postcodeToItl1(options.stored.postcode)?.code ?? null) : null;
    const within = postcodeItl1 ?? storedItl1;
    if (!code || code === 'TL' || itlLevel(code) < 1) {
      problems.push({ field: 'home_region', message: `"${b.home_region}" is not an ITL or NUTS region code or name` });
    } else if (within && !itlWithin(code, within)) {
      problems.push({ field: 'home_region', message: `${code} is not in the region of the postcode (${within})` });
      if (postcodeItl1) problems.push({ field: 'postcode', message: `${v.postcode} is in ${within}, not in the home_region ${code}` });
    } else v.homeRegion = code;
  }

  let national = b.national ?? false;
  if (b.serves !== undefined) {
    const codes: string[] = [];
    b.serves.forEach((raw, i) => {
      const tags = resolvePlace(raw);
      if (!tags.length) problems.push({ field: `serves[${i}]`, message: `"${raw}" is not a region code, region name or postcode we know` });
      for (const t of tags) {
        if (t.code === 'TL') national = true;
        else if (!codes.includes(t.code)) codes.push(t.code);
      }
    });
    v.serves = codes;
  }
  if (b.national !== undefined || national) v.national = national;

  if (b.cpv_codes !== undefined) {
    const codes: string[] = [];
    b.cpv_codes.forEach((raw, i) => {
      const code = normaliseCpv(raw);
      if (!code) problems.push({ field: `cpv_codes[${i}]`, message: `"${raw}" is not a CPV 2008 code` });
      else if (!codes.includes(code)) codes.push(code);
    });
    v.cpv = codes;
  }
  const kind = b.kind;
  if (!options.partial && kind !== 'cooperative' && (b.cpv_codes ?? []).length === 0) {
    problems.push({ field: 'cpv_codes', message: 'needs at least one CPV code saying what the supplier does' });
  }
  if (b.members !== undefined) {
    if (kind !== undefined && kind !== 'cooperative' && b.members.length) {
      problems.push({ field: 'members', message: 'only a cooperative has members' });
    }
    v.members = [...new Set(b.members)];
  }
  if (!options.partial && kind === 'cooperative' && (b.members ?? []).length === 0 && (b.cpv_codes ?? []).length === 0) {
    problems.push({ field: 'members', message: 'a cooperative needs members (registered supplier ids) or its own CPV codes' });
  }

  if (b.description !== undefined) v.description = b.description?.trim() || null;
  if (b.keywords !== undefined) v.keywords = [...new Set(b.keywords)];
  if (b.exclude_words !== undefined) v.excludeWords = [...new Set(b.exclude_words)];
  if (b.max_contract_value !== undefined) v.maxContractValue = b.max_contract_value;
  if (b.turnover_band !== undefined) v.turnoverBand = b.turnover_band;
  if (b.staff_band !== undefined) v.staffBand = b.staff_band;
  if (b.certifications !== undefined) v.certifications = [...new Set(b.certifications)];
  if (b.contact_email !== undefined) v.contactEmail = b.contact_email;
  if (b.growth !== undefined) {
    const years = new Set<number>();
    (b.growth ?? []).forEach((g, i) => {
      if (years.has(g.year)) problems.push({ field: `growth[${i}].year`, message: `${g.year} is given twice` });
      years.add(g.year);
    });
    v.growth = b.growth ? b.growth.map((g) => ({ year: g.year, turnover: g.turnover ?? null, employees: g.employees ?? null })) : null;
  }
  if (b.high_potential_override !== undefined) v.highPotentialOverride = b.high_potential_override;

  if (problems.length) return { ok: false, problems };
  return { ok: true, value: v, given };
}

/**
 * How many years the latest growth figures may lag the current year: a firm's accounts for a year are filed
 * during the next one, so in 2026 the figures must run to 2024 or later to say how it is growing now.
 */
export const GROWTH_FIGURES_LAG_YEARS = 2;

/**
 * High-growth ("high-potential") firm, after the OECD–Eurostat definition: at least 10 employees at the
 * start of a three-year period, and average annualised growth above 20% a year over those three years,
 * in employees or in turnover. We read it off the latest year given and the year three before it; figures
 * that end more than GROWTH_FIGURES_LAG_YEARS before `currentYear` are too old to count.
 */
export function deriveHighPotential(growth: GrowthPoint[] | null, currentYear: number): { highPotential: boolean; reason: string } {
  if (!growth || growth.length < 2) return { highPotential: false, reason: 'no growth figures over three years' };
  const sorted = [...growth].sort((a, b) => a.year - b.year);
  const end = sorted[sorted.length - 1];
  const oldest = currentYear - GROWTH_FIGURES_LAG_YEARS;
  if (end.year < oldest) return { highPotential: false, reason: `the latest figures are for ${end.year}; growth is judged on figures up to ${oldest} or later` };
  const start = sorted.find((g) => g.year === end.year - 3);
  if (!start) return { highPotential: false, reason: `no figures for ${end.year - 3}, three years before ${end.year}` };
  if (start.employees === null || start.employees < 10) {
    return { highPotential: false, reason: `fewer than 10 employees in ${start.year}` };
  }
  const rate = (a: number | null, b: number | null) => (a !== null && b !== null && a > 0 ? Math.pow(b / a, 1 / 3) - 1 : null);
  const staff = rate(start.employees, end.employees);
  const turnover = rate(start.turnover, end.turnover);
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  if (staff !== null && staff > 0.2) return { highPotential: true, reason: `employees grew ${pct(staff)} a year ${start.year}–${end.year}` };
  if (turnover !== null && turnover > 0.2) return { highPotential: true, reason: `turnover grew ${pct(turnover)} a year ${start.year}–${end.year}` };
  return { highPotential: false, reason: `growth of ${pct(Math.max(staff ?? 0, turnover ?? 0))} a year ${start.year}–${end.year} is not above 20%` };
}

/** The stored-row fields the matcher needs (JSON columns already parsed). */
export interface SupplierRecord {
  id: string;
  name: string;
  kind: SupplierKind;
  homeRegion: string | null;
  serves: string[];
  national: boolean;
  cpv: string[];
  description: string | null;
  keywords: string[];
  /** Words and phrases it wants left out of its matches. */
  excludeWords?: string[];
  maxContractValue: number | null;
  highPotentialDerived: boolean;
  highPotentialOverride: boolean | null;
  /** CPV codes of each public contract it has won (linked by Companies House number), if any. */
  pastWins?: string[][];
}

export function isHighPotential(r: Pick<SupplierRecord, 'highPotentialDerived' | 'highPotentialOverride'>): boolean {
  return r.highPotentialOverride ?? r.highPotentialDerived;
}

/**
 * The matcher's view of a supplier. A cooperative's capabilities, words, places and capacity are its
 * members' combined with its own: it can take on what none of them could alone.
 */
export function toProfile(r: SupplierRecord, members: SupplierRecord[] = []): SupplierProfile {
  const own: SupplierProfile = {
    id: r.id,
    name: r.name,
    kind: r.kind,
    homeRegion: r.homeRegion,
    serves: r.serves,
    national: r.national,
    cpv: r.cpv,
    description: r.description,
    keywords: r.keywords,
    excludeWords: r.excludeWords ?? [],
    maxContractValue: r.maxContractValue,
    highPotential: isHighPotential(r),
    pastWins: r.pastWins ?? [],
  };
  if (r.kind !== 'cooperative' || members.length === 0) return own;
  const memberProfiles = members.map((m) => toProfile(m));
  const capacities = memberProfiles.map((m) => m.maxContractValue);
  const memberCapacity = capacities.every((c) => c !== null) ? capacities.reduce((a, b) => a! + b!, 0) : null;
  return {
    ...own,
    serves: [...new Set([...r.serves, ...memberProfiles.flatMap((m) => [m.homeRegion, ...m.serves].filter((x): x is string => !!x))])],
    national: r.national || memberProfiles.some((m) => m.national),
    cpv: [...new Set([...r.cpv, ...memberProfiles.flatMap((m) => m.cpv)])],
    description: [r.description, ...memberProfiles.map((m) => m.description)].filter(Boolean).join('\n') || null,
    keywords: [...new Set([...r.keywords, ...memberProfiles.flatMap((m) => m.keywords)])],
    pastWins: [...(r.pastWins ?? []), ...memberProfiles.flatMap((m) => m.pastWins ?? [])],
    maxContractValue:
      r.maxContractValue === null ? memberCapacity : memberCapacity === null ? r.maxContractValue : Math.max(r.maxContractValue, memberCapacity),
    members: memberProfiles,
  };
}
