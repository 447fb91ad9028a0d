/**
 * What a notice of work coming up says about it beyond a tender's fields: for a preliminary market engagement
 * (UK2), how to take part (the engagement milestones' descriptions, until when, whom to contact, where the
 * notice is); for a pipeline or planned procurement notice (UK1, UK3), when the tender is expected (the
 * communication extension's `futureNoticeDate`, else a planning milestone, else the tender period's start). Pure.
 */
import type { Json, JsonObject } from '../ocds/types.js';

export interface ComingUpDetails {
  /** How to take part in the market engagement, in the buyer's words; null when the notice does not say. */
  howToTakePart: string | null;
  /** When the engagement ends (the last engagement milestone's due date). */
  engagementEnds: string | null;
  /** The buyer's contact address for the engagement. */
  contactEmail: string | null;
  /** When the tender notice is expected (a planning milestone, or the tender period's start). */
  expectedTenderAt: string | null;
}

const obj = (v: Json | undefined): JsonObject | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null);
const objs = (v: Json | undefined): JsonObject[] => (Array.isArray(v) ? v.map(obj).filter((o): o is JsonObject => o !== null) : []);
const str = (v: Json | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const validDate = (v: string | null) => (v && Number.isFinite(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : null);
const latest = (dates: Array<string | null>) =>
  dates.reduce<string | null>((best, d) => (d && (!best || Date.parse(d) > Date.parse(best)) ? d : best), null);

const ENGAGEMENT = /engagement|consultation|supplier ?day|market ?day|event/i;
const TENDER_EXPECTED = /tender|procurement|publication|notice/i;

export function comingUpDetails(compiled: JsonObject): ComingUpDetails {
  const planning = obj(compiled.planning) ?? {};
  const tender = obj(compiled.tender) ?? {};
  const milestones = [...objs(planning.milestones), ...objs(tender.milestones)];
  const engagement = milestones.filter((m) => ENGAGEMENT.test(`${str(m.type) ?? ''} ${str(m.id) ?? ''} ${str(m.title) ?? ''}`));
  const words = [...new Set(engagement.map((m) => str(m.description)).filter((d): d is string => !!d))];
  const engagementEnds = latest(engagement.map((m) => validDate(str(m.dueDate))));
  const parties = objs(compiled.parties);
  const buyerId = str(obj(compiled.buyer)?.id);
  const buyer = parties.find((p) => buyerId && str(p.id) === buyerId) ?? parties.find((p) => Array.isArray(p.roles) && p.roles.includes('buyer'));
  const contactEmail = str(obj(buyer?.contactPoint)?.email) ?? str(obj(obj(tender.communication)?.contactPoint)?.email);
  const expected = milestones.filter((m) => !engagement.includes(m) && TENDER_EXPECTED.test(`${str(m.type) ?? ''} ${str(m.title) ?? ''} ${str(m.id) ?? ''}`));
  const expectedTenderAt =
    validDate(str(obj(tender.communication)?.futureNoticeDate)) ?? latest(expected.map((m) => validDate(str(m.dueDate)))) ?? validDate(str(obj(tender.tenderPeriod)?.startDate));
  return { howToTakePart: words.length ? words.join('\n') : null, engagementEnds, contactEmail, expectedTenderAt };
}
