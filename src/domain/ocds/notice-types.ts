/**
 * The notice types of the Procurement Act 2023 as Find a Tender publishes them in OCDS: the UK extension
 * (`../shared/data/ocds/schema/ocds_uk_extension`, Cabinet Office, MIT) adds `noticeType` to Document, "the
 * notice type published, more specific than the OCDS document type"; Find a Tender writes `UK1` … `UK17` there,
 * on the document of the notice in the section it belongs to (planning, tender, awards[], contracts[]). The
 * extension's schema gives the field but not the list of codes, so the names and sections below are those of
 * Find a Tender's own list of notice types (find-tender.service.gov.uk/Home/NoticeTypes).
 *
 * `becomes` says what tendermatch makes of a notice of the type: an opportunity "coming up" (matched like a
 * tender, told in its own section), an open tender, a standing way in (a dynamic market), a source of renewal
 * forecasts (award, contract details, change, termination), or information only.
 */
import type { Json, JsonObject } from './types.js';

export type NoticeBecomes =
  | 'coming_up'
  | 'open'
  | 'direct_award'
  | 'award'
  | 'contract'
  | 'contract_change'
  | 'contract_ended'
  | 'performance'
  | 'cancelled'
  | 'dynamic_market'
  | 'dynamic_market_closed'
  | 'other';

export interface NoticeTypeInfo {
  code: string;
  name: string;
  /** The OCDS section whose documents carry it. */
  section: 'planning' | 'tender' | 'awards' | 'contracts';
  becomes: NoticeBecomes;
  /** In words for the README and the API: what the notice turns into here. */
  meaning: string;
}

export const NOTICE_TYPES: readonly NoticeTypeInfo[] = [
  { code: 'UK1', name: 'Pipeline notice', section: 'planning', becomes: 'coming_up', meaning: 'coming up: matched like a tender, in "Coming up in your area", with the expected date and value' },
  { code: 'UK2', name: 'Preliminary market engagement notice', section: 'planning', becomes: 'coming_up', meaning: 'coming up, with how to take part in the engagement and until when' },
  { code: 'UK3', name: 'Planned procurement notice', section: 'planning', becomes: 'coming_up', meaning: 'coming up, with the expected tender date' },
  { code: 'UK4', name: 'Tender notice', section: 'tender', becomes: 'open', meaning: 'an open tender; a supplier told it was coming up is told again, once, that it is open' },
  { code: 'UK5', name: 'Transparency notice', section: 'tender', becomes: 'direct_award', meaning: 'a direct award: stored and shown, not alerted (nobody can bid)' },
  { code: 'UK6', name: 'Contract award notice', section: 'awards', becomes: 'award', meaning: 'an award: who won (buyer history), and its contract period feeds renewal forecasts' },
  { code: 'UK7', name: 'Contract details notice', section: 'contracts', becomes: 'contract', meaning: 'a signed contract: its period and options feed renewal forecasts' },
  { code: 'UK8', name: 'Payments compliance notice', section: 'contracts', becomes: 'performance', meaning: 'stored and shown' },
  { code: 'UK9', name: 'Contract performance notice', section: 'contracts', becomes: 'performance', meaning: 'stored and shown' },
  { code: 'UK10', name: 'Contract change notice', section: 'contracts', becomes: 'contract_change', meaning: 'a changed contract: its new period moves the renewal forecast' },
  { code: 'UK11', name: 'Contract termination notice', section: 'contracts', becomes: 'contract_ended', meaning: 'a contract ended early: forecast as a re-procurement soon ("terminated")' },
  { code: 'UK12', name: 'Procurement termination notice', section: 'tender', becomes: 'cancelled', meaning: 'the procurement is called off: suppliers told of it are told so' },
  { code: 'UK13', name: 'Dynamic market notice: intention to establish', section: 'tender', becomes: 'dynamic_market', meaning: 'a standing way in: listed for the suppliers it fits' },
  { code: 'UK14', name: 'Dynamic market notice: establishment', section: 'tender', becomes: 'dynamic_market', meaning: 'a standing way in: listed for the suppliers it fits' },
  { code: 'UK15', name: 'Dynamic market notice: modification', section: 'tender', becomes: 'dynamic_market', meaning: 'a standing way in, as modified' },
  { code: 'UK16', name: 'Dynamic market notice: cessation', section: 'tender', becomes: 'dynamic_market_closed', meaning: 'the market has closed: no longer listed' },
  { code: 'UK17', name: 'UK17 notice', section: 'tender', becomes: 'other', meaning: 'stored and shown by its code' },
];

const BY_CODE = new Map(NOTICE_TYPES.map((t) => [t.code, t]));

export function noticeTypeInfo(code: string | null | undefined): NoticeTypeInfo | null {
  return code ? (BY_CODE.get(code.trim().toUpperCase()) ?? null) : null;
}

/** The notice type's name, e.g. "Tender notice"; a UK code not in the list keeps its code; null when none. */
export function noticeTypeName(code: string | null | undefined): string | null {
  if (!code) return null;
  return noticeTypeInfo(code)?.name ?? (/^UK\d{1,2}$/i.test(code.trim()) ? `${code.trim().toUpperCase()} notice` : null);
}

const obj = (v: Json | undefined): JsonObject | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null);
const objs = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.map(obj).filter((o): o is JsonObject => o !== null) : []);

export interface PublishedNotice {
  code: string;
  datePublished: string | null;
  url: string | null;
  section: NoticeTypeInfo['section'];
}

/** Every document that names a UK notice type, in every section, in the order published (undated ones where they stand). */
export function publishedNotices(release: JsonObject): PublishedNotice[] {
  const found: PublishedNotice[] = [];
  const read = (docs: Json | undefined, section: PublishedNotice['section']) => {
    for (const d of objs(docs)) {
      const code = typeof d.noticeType === 'string' ? d.noticeType.trim().toUpperCase() : '';
      if (!/^UK\d{1,2}$/.test(code)) continue;
      found.push({
        code,
        datePublished: typeof d.datePublished === 'string' ? d.datePublished : null,
        url: typeof d.url === 'string' ? d.url : null,
        section,
      });
    }
  };
  read(obj(release.planning)?.documents, 'planning');
  read(obj(release.tender)?.documents, 'tender');
  for (const a of objs(release.awards)) read(a.documents, 'awards');
  for (const c of objs(release.contracts)) read(c.documents, 'contracts');
  const at = (n: PublishedNotice) => {
    const t = n.datePublished ? Date.parse(n.datePublished) : NaN;
    return Number.isFinite(t) ? t : null;
  };
  // Stable: dated notices in date order; an undated one keeps its place after what came before it.
  return found
    .map((n, i) => ({ n, i, t: at(n) }))
    .sort((x, y) => (x.t !== null && y.t !== null ? x.t - y.t || x.i - y.i : x.i - y.i))
    .map((x) => x.n);
}

/** The latest notice type published for the procurement (a compiled release holds every notice's document). */
export function latestNoticeType(release: JsonObject): string | null {
  const notices = publishedNotices(release);
  return notices.length ? notices[notices.length - 1].code : null;
}

export type OpportunityKind = 'coming_up' | 'open' | 'dynamic_market' | 'closed' | 'other';

/**
 * What a stored tender is for a supplier, from its latest notice type and OCDS status: coming up (a UK1–UK3, or
 * a planning notice without a UK type), an open tender, a dynamic market (a standing way in), closed, or other.
 */
export function opportunityKindOf(noticeType: string | null, status: string | null): OpportunityKind {
  const becomes = noticeTypeInfo(noticeType)?.becomes;
  if (becomes === 'coming_up') return 'coming_up';
  if (becomes === 'dynamic_market') return 'dynamic_market';
  if (becomes === 'dynamic_market_closed' || becomes === 'cancelled') return 'closed';
  if (becomes === 'open') return 'open';
  if (!noticeType && (status === 'planning' || status === 'planned')) return 'coming_up';
  if (!noticeType) return 'open';
  return 'other';
}
