/**
 * Tags a normalised tender: places per role (delivery for the tender and each lot, buyer, each award
 * supplier) and capability (CPV) per tender and lot. Pure: same record in, same tags out.
 */
import type { Address, TenderRecord } from '../ocds/types.js';
import { cpvDivision, cpvLabel, cpvLevel, cpvParent, normaliseCpv } from '../cpv/index.js';
import { someWord, words } from './text.js';
import { findPostcodes, postcodePlaceTag, resolvePlace, itlLevel, type PlaceTag } from '../geo/index.js';
import { classifyNoticeWords, TAGGER_VERSION, type Classification, type CpvPrediction } from './classifier.js';

export { TAGGER_VERSION };
export { classifySpendLine, spendLineText } from './spend-lines.js';
export { suggestCpv, type SuggestedCpv } from './suggest.js';

export type PlaceRole = 'delivery' | 'buyer' | 'supplier';

export interface TenderPlace extends PlaceTag {
  lotId: string;
  role: PlaceRole;
  /** Award supplier party id for role 'supplier', else ''. */
  partyId: string;
}

export type InferenceReason = 'no_code' | 'division_only' | 'contradicts_text';

export interface TenderCpvTag {
  lotId: string;
  code: string;
  method: 'published' | 'inferred';
  confidence: number;
  reason: InferenceReason | null;
}

export interface TenderTags {
  ocid: string;
  places: TenderPlace[];
  cpv: TenderCpvTag[];
  /** Why no delivery place could be read, when none was. */
  placeProblems: string[];
}

/** How many inferred codes to add at most, and the least confidence worth storing. */
const MAX_INFERRED = 3;
const MIN_INFERRED_CONFIDENCE = 0.15;
/** The classifier must be this sure of another division, and this unsure of the published one, to flag it. */
const CONTRADICTION_TOP = 0.9;
const CONTRADICTION_PUBLISHED = 0.01;

function mergeTags(into: PlaceTag[], more: PlaceTag[]): void {
  for (const t of more) {
    const same = into.find((x) => x.code === t.code && (x.lad ?? null) === (t.lad ?? null));
    if (!same) into.push(t);
    else if (t.confidence > same.confidence) Object.assign(same, t);
  }
}

/** Places of an address: its region, else its postcode, else postcodes found in its text. */
export function addressPlaces(address: Address | null): PlaceTag[] {
  if (!address) return [];
  const out: PlaceTag[] = [];
  if (address.region) mergeTags(out, resolvePlace(address.region));
  const postcodes = address.postcode ? [address.postcode] : findPostcodes(address.text ?? '');
  const byPostcode = postcodes.map((pc) => postcodePlaceTag(pc)).find((t) => t !== null) ?? null;
  // A region field reading "England" or "UK" says less about where a body sits than its postcode does; so does a
  // region code ("UKL", Wales) whose area holds the postcode's local authority.
  const finer = byPostcode && out.every((t) => !t.lad && t.level < byPostcode.level) && out.some((t) => t.national || byPostcode.code.startsWith(t.code));
  if (out.length && !out.every((t) => t.national) && !finer) return out;
  return byPostcode ? [byPostcode] : out;
}

function deliveryPlaces(regions: string[], postcodes: string[], descriptions: Array<string | null>): PlaceTag[] {
  const out: PlaceTag[] = [];
  for (const r of regions) mergeTags(out, resolvePlace(r));
  for (const pc of postcodes) mergeTags(out, resolvePlace(pc));
  if (!out.length) {
    // A free-text location ("Glasgow City", "Wales") is read only when nothing better was published.
    for (const d of descriptions) if (d) mergeTags(out, resolvePlace(d).map((t) => ({ ...t, confidence: round(t.confidence * 0.9) })));
  }
  // A UK-wide tag beside real regions only says "UK" again: keep the regions.
  if (out.length > 1 && out.some((t) => itlLevel(t.code) > 0)) return out.filter((t) => t.code !== 'TL');
  return out;
}

function publishedCpv(codes: string[]): string[] {
  const out: string[] = [];
  for (const c of codes) {
    const code = normaliseCpv(c);
    if (code && !out.includes(code)) out.push(code);
  }
  return out;
}

/** True when a word of a published code's label (or its parent's) is in the text: the code then has a reading. */
function labelsMeetText(published: string[], title: string, description: string): boolean {
  const wanted = new Set<string>();
  for (const code of published) {
    for (const w of labelWords(code)) wanted.add(w);
    const parent = cpvParent(code);
    if (parent) for (const w of labelWords(parent)) wanted.add(w);
  }
  if (!wanted.size) return false;
  // The words of `${title} ${description}`, read until one meets a label.
  return someWord(title, wanted) || someWord(description, wanted);
}

const labelWordCache = new Map<string, string[]>();
function labelWords(code: string): string[] {
  let w = labelWordCache.get(code);
  if (!w) labelWordCache.set(code, (w = words(cpvLabel(code) ?? '')));
  return w;
}

// Lots often repeat the tender's words: classify each distinct text once per tender.
let cache: { title: string; description: string; value: Classification } | null = null;
function classifyCached(title: string, description: string): Classification {
  if (cache?.title !== title || cache.description !== description) {
    cache = { title, description, value: classifyNoticeWords(title, words(title), description) };
  }
  return cache.value;
}

/**
 * Capability tags for one text and its published codes: the published codes, plus inferred codes when
 * there are none, when all are division-level, or when the text clearly belongs to another division.
 */
export function capabilityTags(
  lotId: string,
  published: string[],
  title: string,
  description = '',
  checkContradiction = true,
): TenderCpvTag[] {
  const tags: TenderCpvTag[] = published.map((code) => ({ lotId, code, method: 'published', confidence: 1, reason: null }));
  if (!title.trim() && !description.trim()) return tags;
  const needsInference = published.length === 0 || published.every((c) => cpvLevel(c) === 'division');
  // A published code whose label words appear in the text is never a contradiction: skip the classifier.
  let meets: boolean | undefined;
  const labelsMeet = () => (meets ??= labelsMeetText(published, title, description));
  if (!needsInference && (!checkContradiction || labelsMeet())) return tags;
  const result = classifyCached(title, description);
  let reason: InferenceReason | null = null;
  let candidates: CpvPrediction[] = [];
  if (published.length === 0) {
    reason = 'no_code';
    candidates = result.codes;
  } else {
    const publishedDivisions = new Set(published.map(cpvDivision));
    const top = result.divisions[0];
    const publishedMass = [...publishedDivisions].reduce((s, d) => s + (result.divisionProbability.get(d) ?? 0), 0);
    if (
      top &&
      !publishedDivisions.has(top.code) &&
      top.confidence >= CONTRADICTION_TOP &&
      publishedMass <= CONTRADICTION_PUBLISHED &&
      !labelsMeet()
    ) {
      reason = 'contradicts_text';
      candidates = result.codes.filter((p) => cpvDivision(p.code) === top.code);
    } else if (needsInference) {
      reason = 'division_only';
      candidates = result.codes.filter((p) => publishedDivisions.has(cpvDivision(p.code)) && cpvLevel(p.code) !== 'division');
    }
  }
  for (const p of candidates) {
    if (tags.filter((t) => t.method === 'inferred').length >= MAX_INFERRED) break;
    if (p.confidence < MIN_INFERRED_CONFIDENCE) break;
    if (tags.some((t) => t.code === p.code)) continue;
    tags.push({ lotId, code: p.code, method: 'inferred', confidence: round(p.confidence), reason });
  }
  return tags;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function tagTender(record: TenderRecord): TenderTags {
  const places: TenderPlace[] = [];
  const placeProblems: string[] = [];
  const add = (lotId: string, role: PlaceRole, partyId: string, tags: PlaceTag[]) => {
    for (const t of tags) {
      places.push({ ...t, lotId, role, partyId });
    }
  };

  const items = record.items ?? [];
  const tenderDelivery = deliveryPlaces(
    items.flatMap((i) => i.deliveryRegions),
    items.flatMap((i) => i.deliveryPostcodes),
    items.map((i) => i.deliveryDescription),
  );
  add('', 'delivery', '', tenderDelivery);
  if (!tenderDelivery.length) {
    const seen = [...items.flatMap((i) => [...i.deliveryRegions, ...i.deliveryPostcodes, i.deliveryDescription ?? ''])].filter(Boolean);
    placeProblems.push(seen.length ? `delivery place not understood: ${seen.slice(0, 3).map((s) => JSON.stringify(s)).join(', ')}` : 'no delivery place published');
  }
  for (const lot of record.lots ?? []) {
    const lotItems = items.filter((i) => i.lotId === lot.id);
    const lotDelivery = deliveryPlaces(
      [...lot.places, ...lotItems.flatMap((i) => i.deliveryRegions)],
      lotItems.flatMap((i) => i.deliveryPostcodes),
      lotItems.map((i) => i.deliveryDescription),
    );
    add(lot.id, 'delivery', '', lotDelivery);
  }

  add('', 'buyer', '', addressPlaces(record.buyer?.address ?? null));

  for (const award of record.awards ?? []) {
    const lotIds = award.lotIds.length ? award.lotIds : [''];
    for (const s of award.suppliers) {
      const tags = addressPlaces(s.address);
      for (const lotId of lotIds) add(lotId, 'supplier', s.partyId, tags);
    }
  }

  // Several awards can name the same supplier: keep one row per key, the surest.
  const byKey = new Map<string, TenderPlace>();
  for (const p of places) {
    const key = `${p.lotId}\u0000${p.role}\u0000${p.partyId}\u0000${p.code}\u0000${p.lad ?? ''}`;
    const prev = byKey.get(key);
    if (!prev || p.confidence > prev.confidence) byKey.set(key, p);
  }

  const cpv: TenderCpvTag[] = capabilityTags('', publishedCpv(record.cpv ?? []), record.title ?? '', record.description ?? '');
  for (const lot of record.lots ?? []) {
    // A lot without words of its own is read through the tender's title and description.
    const own = !!(lot.title?.trim() || lot.description?.trim());
    cpv.push(
      // A lot with words and codes of its own is checked against its own text; one read through the tender's
      // words is not checked again (the tender is).
      ...capabilityTags(lot.id, publishedCpv(lot.cpv), own ? lot.title ?? '' : record.title ?? '', own ? lot.description ?? '' : record.description ?? '', own),
    );
  }

  return { ocid: record.ocid, places: [...byKey.values()], cpv, placeProblems };
}
