/**
 * Contracts coming up for renewal: from an awarded procurement's contract periods, when the work is likely to
 * be bought again, and how sure that is. Pure: the compiled release (every notice of the ocid merged: the award,
 * the contract details, changes and terminations) and the normalised record in, forecasts out.
 *
 * Where the period is read, in order: the contract's own period (a UK7 contract details notice, moved by the
 * latest UK10 contract change's period), the award's contractPeriod, its lots' contractPeriod, the tender's.
 * A period with a start and `durationInMonths` but no end ends that many months after the start.
 *
 * How sure (`certainty`):
 * - high: a fixed end date and nothing that lets the buyer keep it going; a framework (a new one is almost always
 *   let as the old one ends); a contract terminated early (the work must be bought again).
 * - medium: the buyer may extend or renew it (`hasRenewal`, an options or renewal description, a `maxExtentDate`
 *   past the end): the work may be re-let at the end, or only when the extension runs out.
 * - low: the end was worked out from a duration only.
 */
import type { Json, JsonObject, TenderRecord } from '../ocds/types.js';

export type RenewalCertainty = 'high' | 'medium' | 'low';

export interface RenewalIncumbent {
  name: string | null;
  /** 'sme' | 'large' | … as published; null = not said. */
  scale: string | null;
}

export interface RenewalForecast {
  ocid: string;
  /** The award (or contract) the forecast is of: unique within the ocid. */
  awardId: string;
  buyerName: string | null;
  title: string | null;
  cpv: string[];
  valueAmount: number | null;
  valueCurrency: string | null;
  startDate: string | null;
  /** When the contract as let ends (or ended, when terminated). */
  endDate: string;
  /** The latest it could run to with every extension taken; null when none is published. */
  maxExtentDate: string | null;
  /** When the work is expected to be bought again: the end date, or the termination. */
  expectedAt: string;
  incumbents: RenewalIncumbent[];
  framework: boolean;
  extensionOption: boolean;
  terminated: boolean;
  certainty: RenewalCertainty;
  /** In words: how sure the forecast is and why. */
  reasons: string[];
}

export interface ContractEnd {
  awardId: string;
  endDate: string | null;
  /** The end date was worked out from a start and a duration. */
  fromDuration: boolean;
  startDate: string | null;
  maxExtentDate: string | null;
  terminatedAt: string | null;
  extensionOption: boolean;
}

const obj = (v: Json | undefined): JsonObject | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null);
const objs = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.map(obj).filter((o): o is JsonObject => o !== null) : []);
const str = (v: Json | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const dateMs = (v: string | null): number | null => {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
};
const iso = (v: Json | undefined): string | null => {
  const t = dateMs(str(v));
  return t === null ? null : new Date(t).toISOString();
};

function addMonths(isoDate: string, months: number): string {
  const d = new Date(isoDate);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString();
}

interface Period {
  start: string | null;
  end: string | null;
  maxExtent: string | null;
  fromDuration: boolean;
}

function period(v: Json | undefined): Period | null {
  const p = obj(v);
  if (!p) return null;
  const start = iso(p.startDate);
  let end = iso(p.endDate);
  let fromDuration = false;
  const months = typeof p.durationInMonths === 'number' && Number.isFinite(p.durationInMonths) && p.durationInMonths > 0 ? p.durationInMonths : null;
  if (!end && start && months) {
    end = addMonths(start, months);
    fromDuration = true;
  }
  const maxExtent = iso(p.maxExtentDate);
  if (!start && !end && !maxExtent) return null;
  return { start, end, maxExtent, fromDuration };
}

const TRUE_WORDS = /\b(?:extend|extension|renew|renewal|option to|optional)\b/i;

/** Whether the lot or tender lets the buyer extend or renew: `hasRenewal`, a renewal or options description that says so. */
function hasExtensionOption(part: JsonObject | null): boolean {
  if (!part) return false;
  if (part.hasRenewal === true) return true;
  const renewal = obj(part.renewal);
  if (renewal && (str(renewal.description) || obj(renewal.period) || typeof renewal.maximumRenewals === 'number')) return true;
  const options = obj(part.options);
  return part.hasOptions === true && !!options && TRUE_WORDS.test(str(options.description) ?? '');
}

/** The end of each awarded contract of a compiled release, read as the module header says. */
export function contractEnds(compiled: JsonObject): ContractEnd[] {
  const tender = obj(compiled.tender) ?? {};
  const lots = new Map(objs(tender.lots).map((l) => [String(l.id ?? ''), l]));
  const contracts = objs(compiled.contracts);
  const out: ContractEnd[] = [];
  for (const award of objs(compiled.awards)) {
    const awardId = str(award.id) ?? (typeof award.id === 'number' ? String(award.id) : null);
    if (!awardId) continue;
    const status = str(award.status);
    if (status === 'cancelled' || status === 'unsuccessful') continue;
    const ownContracts = contracts.filter((c) => String(c.awardID ?? '') === awardId);
    const relatedLots = (Array.isArray(award.relatedLots) ? award.relatedLots : []).map((id) => lots.get(String(id))).filter((l): l is JsonObject => !!l);
    const lotPeriods = relatedLots.map((l) => period(l.contractPeriod)).filter((p): p is Period => !!p);
    let chosen: Period | null = null;
    let terminatedAt: string | null = null;
    for (const c of ownContracts) {
      // The latest contract change (UK10) with a period moves the end; else the contract details' period.
      const amended = objs(c.amendments)
        .map((a) => ({ p: period(a.period), at: dateMs(str(a.date)) ?? 0 }))
        .filter((a) => a.p)
        .sort((a, b) => a.at - b.at);
      const p = amended.length ? amended[amended.length - 1].p : period(c.period);
      if (p && (!chosen || (dateMs(p.end) ?? 0) > (dateMs(chosen.end) ?? 0))) chosen = p;
      if (str(c.status) === 'terminated') {
        terminatedAt = iso(c.finalStatusDate) ?? iso(c.dateTerminated) ?? iso(obj(c.period)?.endDate) ?? terminatedAt;
      }
    }
    chosen ??= period(award.contractPeriod) ?? lotPeriods.sort((a, b) => (dateMs(b.end) ?? 0) - (dateMs(a.end) ?? 0))[0] ?? period(tender.contractPeriod);
    const extensionOption =
      relatedLots.some(hasExtensionOption) ||
      (relatedLots.length === 0 && (objs(tender.lots).some(hasExtensionOption) || hasExtensionOption(tender))) ||
      (!!chosen?.maxExtent && !!chosen.end && (dateMs(chosen.maxExtent) ?? 0) > (dateMs(chosen.end) ?? 0));
    out.push({
      awardId,
      endDate: chosen?.end ?? null,
      fromDuration: chosen?.fromDuration ?? false,
      startDate: chosen?.start ?? null,
      maxExtentDate: chosen?.maxExtent ?? null,
      terminatedAt,
      extensionOption,
    });
  }
  return out;
}

export interface ForecastWindow {
  /** Earliest end counted, in months from now (6). */
  fromMonths: number;
  /** Latest end counted, in months from now (18). */
  toMonths: number;
  /** A termination this recent (months) is forecast as a re-procurement soon (6). */
  terminatedWithinMonths: number;
}

export const DEFAULT_WINDOW: ForecastWindow = { fromMonths: 6, toMonths: 18, terminatedWithinMonths: 6 };

const day = (isoDate: string) => isoDate.slice(0, 10);

/**
 * The forecasts of one procurement at `now`: each awarded contract ending between `fromMonths` and `toMonths`
 * ahead, or terminated in the last `terminatedWithinMonths`. Contracts whose end cannot be read are left out.
 */
export function forecastRenewals(compiled: JsonObject, record: TenderRecord, now: Date, window: ForecastWindow = DEFAULT_WINDOW): RenewalForecast[] {
  const nowIso = now.toISOString();
  const from = Date.parse(addMonths(nowIso, window.fromMonths));
  const to = Date.parse(addMonths(nowIso, window.toMonths));
  const terminatedSince = Date.parse(addMonths(nowIso, -window.terminatedWithinMonths));
  const framework = obj(obj(compiled.tender)?.techniques)?.hasFrameworkAgreement === true || /\bframework\b/i.test(record.title ?? '');
  const out: RenewalForecast[] = [];
  for (const end of contractEnds(compiled)) {
    const award = record.awards.find((a) => a.id === end.awardId);
    if (!award) continue;
    let expectedAt: string | null = null;
    const terminated = end.terminatedAt !== null;
    if (terminated) {
      const t = Date.parse(end.terminatedAt!);
      if (t >= terminatedSince && t <= now.getTime()) expectedAt = end.terminatedAt;
    } else if (end.endDate) {
      const t = Date.parse(end.endDate);
      if (t >= from && t <= to) expectedAt = end.endDate;
    }
    if (!expectedAt) continue;
    const reasons: string[] = [];
    let certainty: RenewalCertainty = 'high';
    if (terminated) {
      reasons.push(`ended early on ${day(end.terminatedAt!)} (a termination notice): the work is likely to be bought again soon`);
    } else {
      reasons.push(`the contract ends on ${day(end.endDate!)}`);
      if (framework) reasons.push('a framework: buyers usually let a new one as the old one ends');
      if (end.extensionOption) {
        certainty = 'medium';
        reasons.push(
          end.maxExtentDate && end.maxExtentDate !== end.endDate
            ? `the buyer may extend it, up to ${day(end.maxExtentDate)} (an extension option), instead of buying again`
            : 'the buyer may extend or renew it (an extension option) instead of buying again',
        );
      }
      if (end.fromDuration) {
        certainty = 'low';
        reasons.push('the end date is worked out from the start date and the duration');
      }
    }
    const lots = award.lotIds.length ? record.lots.filter((l) => award.lotIds.includes(l.id)) : [];
    const cpv = lots.length ? [...new Set(lots.flatMap((l) => l.cpv))] : record.cpv;
    out.push({
      ocid: record.ocid,
      awardId: end.awardId,
      buyerName: record.buyer?.name ?? null,
      title: lots.length === 1 && lots[0].title ? `${record.title ?? ''}${record.title ? ': ' : ''}${lots[0].title}` : record.title,
      cpv: cpv.length ? cpv : record.cpv,
      valueAmount: award.value.amount ?? record.value.amount,
      valueCurrency: award.value.amount !== null ? award.value.currency : record.value.currency,
      startDate: end.startDate,
      endDate: terminated ? end.terminatedAt! : end.endDate!,
      maxExtentDate: end.maxExtentDate,
      expectedAt,
      incumbents: award.suppliers.map((s) => ({ name: s.name, scale: s.scale })),
      framework,
      extensionOption: end.extensionOption,
      terminated,
      certainty,
      reasons,
    });
  }
  return out;
}

/**
 * The forecast as a tender record the matcher can read: the same buyer, work, places and value, with no
 * deadline and no awards, planned (nobody can bid yet).
 */
export function forecastAsTender(f: RenewalForecast, record: TenderRecord): TenderRecord {
  const award = record.awards.find((a) => a.id === f.awardId);
  const lotIds = award?.lotIds ?? [];
  const lots = lotIds.length ? record.lots.filter((l) => lotIds.includes(l.id)) : [];
  return {
    ...record,
    ocid: f.ocid,
    title: f.title,
    value: { amount: f.valueAmount, currency: f.valueCurrency },
    status: 'planned',
    deadline: null,
    engagementEnds: null,
    cpv: f.cpv,
    // One opportunity per forecast: the lots it was let as are read through its items and codes.
    lots: [],
    items: lots.length ? record.items.filter((i) => !i.lotId || lotIds.includes(i.lotId)) : record.items,
    awards: [],
  };
}
