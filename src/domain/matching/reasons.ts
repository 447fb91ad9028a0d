/**
 * The words of a match: why a supplier cannot bid (a failed gate), and what a score is made of, in plain English
 * for the supplier itself or for an officer looking at it. Reasons compute no score and no part: the numbers come
 * from the scoring kernel's parts (score.ts); matchDetail only names what those parts counted (which CPV codes
 * met, which place is local).
 */
import { cpvLabel } from '../cpv/index.js';
import { ENGLAND_ITL1, itlName } from '../geo/index.js';
import { formatMoneyShort } from '../money.js';
import { cpvRelation, sharedItlLevel } from './closeness.js';
import type { CompiledOpportunity, CompiledSupplier } from './compiled.js';
import { CPV_GATE, reservedPlaceFit } from './gates.js';
import { hasPhrase, type RowParts } from './score.js';
import { sharedIds, type Vocabulary } from './text.js';
import type { Exclusion, Opportunity } from './types.js';

/**
 * Who reads the reasons: the supplier itself ("you are based in ...") or an officer looking at the supplier
 * ("it is based in ..."). The numbers are the same; only the words change.
 */
export type Audience = 'supplier' | 'officer';

interface Voice {
  /** Subject and possessive, lower case and capitalised. */
  you: string;
  You: string;
  your: string;
  Your: string;
  are: string;
  have: string;
  do: string;
  /** A verb in the present tense for the subject: serve → serve / serves, qualify → qualify / qualifies. */
  verb: (base: string) => string;
}

const VOICES: Record<Audience, Voice> = {
  supplier: { you: 'you', You: 'You', your: 'your', Your: 'Your', are: 'are', have: 'have', do: 'do', verb: (b) => b },
  officer: {
    you: 'it',
    You: 'It',
    your: 'its',
    Your: 'Its',
    are: 'is',
    have: 'has',
    do: 'does',
    verb: (b) => (b.endsWith('y') ? `${b.slice(0, -1)}ies` : `${b}s`),
  },
};

function placeName(code: string): string {
  const name = itlName(code);
  return name ? `${name} (${code})` : code;
}

function cpvName(code: string): string {
  const label = cpvLabel(code);
  return label ? `${code} (${label})` : code;
}

/** Why nobody can bid for a tender or lot (the closed gate's rule). */
export function closedReason(rule: Exclusion['rule'], opportunity: Opportunity): string {
  const what = opportunity.lotId ? 'This lot' : 'This tender';
  if (rule === 'closed') return `${what} is ${opportunity.status}: it takes no more bids.`;
  if (rule === 'expired') return `${what} closed for bids on ${opportunity.deadline!.slice(0, 10)}.`;
  return `${what} has no CPV code, published or inferred, so capability cannot be judged.`;
}

/** Who a reservation to mutuals names (CompiledOpportunity.reservedFor), from the notice's codes. */
export function reservedForInWords(reserved: string[]): string {
  // Supported businesses (PCR 2015 reg. 20) are social enterprises too: the gate is the same, the words are not.
  const sheltered = reserved.includes('shelteredWorkshop');
  const mission = reserved.includes('publicServiceMissionOrganization');
  if (sheltered && mission) return 'public-service mutuals, social enterprises and supported businesses';
  return sheltered ? 'supported businesses (sheltered workshops)' : 'public-service mutuals and social enterprises';
}

/** Reserved places in words: England for its nine regions, the UK for `TL`, else their names, "or" between. */
function reservedPlacesInWords(places: string[]): string {
  const rest = ENGLAND_ITL1.every((c) => places.includes(c)) ? ['England', ...places.filter((p) => !ENGLAND_ITL1.includes(p))] : places;
  const words = rest.map((p) => (p === 'TL' ? 'the UK' : p === 'England' ? p : placeName(p)));
  return words.length <= 2 ? words.join(' or ') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** What a notice reserves, in words for a buyer or officer ("VCSEs", "suppliers based in Kent (TLJ4)"); null = nothing. */
export function reservationInWords(co: CompiledOpportunity): string | null {
  const parts: string[] = [];
  if (co.reservedKind === 2) parts.push('VCSEs');
  else if (co.reservedKind === 3) parts.push(co.reservedFor);
  if (co.reservedPlaces.length) parts.push(`suppliers based in ${reservedPlacesInWords(co.reservedPlaces)}`);
  return parts.length ? parts.join(' and ') : null;
}

/** Why a supplier cannot bid, for the gate the kernel found failed (not the closed gate: its words are the notice's). */
export function exclusionReason(rule: Exclusion['rule'], co: CompiledOpportunity, cs: CompiledSupplier, audience: Audience): string {
  const v = VOICES[audience];
  switch (rule) {
    case 'capability':
      return `None of ${v.your} CPV codes is close to the notice's (${co.codes.slice(0, 3).join(', ')}).`;
    case 'place': {
      const where = [...co.places, ...co.nationalPlaces].slice(0, 3).map(placeName).join(', ');
      return `Delivery is in ${where}, which ${v.you} ${v.do} not serve.`;
    }
    case 'capacity':
      return `The value, ${formatMoneyShort(co.value)}, is above the largest contract ${v.you} can deliver alone (${formatMoneyShort(cs.capacity)}); a consortium could bid.`;
    case 'reserved': {
      if (co.reservedKind === 2 && !cs.isVcse) return `Bids are reserved for VCSEs, and ${v.you} ${v.are} not registered as one.`;
      if (co.reservedKind === 3 && !cs.isMutualKind) return `Bids are reserved for ${co.reservedFor}; ${v.you} ${v.are} registered as neither a VCSE nor a cooperative.`;
      const where = reservedPlacesInWords(co.reservedPlaces);
      const home = cs.homeRegion;
      return home
        ? `Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.are} not: ${v.you} ${v.are} based in ${placeName(home)}.`
        : `Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.have} not said where ${v.you} ${v.are} based.`;
    }
    default:
      return co.closed?.reason ?? rule;
  }
}

/** What the reservations of a notice mean for a supplier that passes them, in plain words. */
function reservationNotes(co: CompiledOpportunity, cs: CompiledSupplier, v: Voice): string[] {
  const notes: string[] = [];
  const rk = co.reservedKind;
  const qualify = `${v.you} ${v.verb('qualify')}`;
  if (rk === 1) notes.push(`Bids are reserved for SMEs and VCSEs, and ${qualify}.`);
  else if (rk === 2) notes.push(`Bids are reserved for VCSEs, and ${qualify}.`);
  else if (rk === 3 && co.opportunity.reserved.includes('shelteredWorkshop')) {
    notes.push(`Bids are reserved for ${co.reservedFor}: check that at least 30% of ${v.your} workers are disabled or disadvantaged before bidding.`);
  } else if (rk === 3) notes.push(`Bids are reserved for ${co.reservedFor}, and ${qualify} as a VCSE or cooperative.`);
  const opp = co.opportunity;
  if (co.reservedPlaces.length) {
    const where = reservedPlacesInWords(co.reservedPlaces);
    const home = cs.homeRegion!;
    if (reservedPlaceFit(home, co.reservedPlaces) === 1) {
      notes.push(`Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.are}${co.reservedPlaces.includes(home) || co.reservedPlaces.includes('TL') ? '' : ` (${placeName(home)})`}.`);
    } else {
      notes.push(`Bids are reserved for suppliers based in ${where}; ${v.you} ${v.are} registered in ${placeName(home)}, which is wider, so check that ${v.you} ${v.are} based in ${where} before bidding.`);
    }
  } else if (opp.reservedLocation) {
    notes.push(`The notice reserves bids for suppliers based in "${opp.reservedLocation}", a place tendermatch could not read: check that ${v.you} ${v.are} based there before bidding.`);
  }
  return notes;
}

/** What the capability and place parts counted, by name: the reasons quote these, the score does not need them. */
export interface MatchDetail {
  /** The notice's code and the supplier's code that answer each other best (indexes into co.codes and cs.codes). */
  bestNotice: number;
  bestSupplier: number;
  /** How many of the notice's codes one of the supplier's codes is related to. */
  codesMet: number;
  /** The delivery place the supplier is based nearest to ('' when it is not local). */
  localPlace: string;
}

/** The detail of an eligible match, for its reasons; `localLevel` is the kernel's. */
export function matchDetail(co: CompiledOpportunity, cs: CompiledSupplier, localLevel: number): MatchDetail {
  let best = 0;
  let bestNotice = -1;
  let bestSupplier = -1;
  let codesMet = 0;
  for (let i = 0; i < co.sig.length; i++) {
    let top = 0;
    let topJ = -1;
    for (let j = 0; j < cs.sig.length; j++) {
      const r = cpvRelation(co.sig[i], cs.sig[j]);
      if (r > top) {
        top = r;
        topJ = j;
      }
    }
    if (top >= CPV_GATE) codesMet++;
    if (top > best) {
      best = top;
      bestNotice = i;
      bestSupplier = topJ;
    }
  }
  const home = cs.homeRegion;
  const localPlace = localLevel > 0 && home ? (co.places.find((p) => Math.min(sharedItlLevel(home, p), Math.min(home.length, p.length) - 2) === localLevel) ?? '') : '';
  return { bestNotice, bestSupplier, codesMet, localPlace };
}

/** The reasons of an eligible match, from the kernel's parts. */
export function reasonsFor(co: CompiledOpportunity, cs: CompiledSupplier, parts: RowParts, audience: Audience, vocab?: Vocabulary): string[] {
  const v = VOICES[audience];
  const opp = co.opportunity;
  const { bestNotice, bestSupplier, codesMet, localPlace } = matchDetail(co, cs, parts.localLevel);
  const reasons: string[] = [];
  const target = opp.lotId ? `lot ${opp.lotId}${opp.lotTitle ? ` (${opp.lotTitle})` : ''}` : 'the tender';
  // Capability: the best-matching pair, then what the other notice codes found.
  const nCode = co.codes[bestNotice];
  const sCode = cs.codes[bestSupplier];
  if (nCode === sCode) reasons.push(`${v.Your} CPV code ${cpvName(sCode)} is exactly what ${target} asks for.`);
  else if (co.sig[bestNotice].startsWith(cs.sig[bestSupplier])) reasons.push(`${target[0].toUpperCase()}${target.slice(1)} asks for ${cpvName(nCode)}, which falls under ${v.your} ${cpvName(sCode)}.`);
  else if (cs.sig[bestSupplier].startsWith(co.sig[bestNotice])) reasons.push(`${target[0].toUpperCase()}${target.slice(1)} asks for ${cpvName(nCode)}; ${v.your} ${cpvName(sCode)} is part of it.`);
  else reasons.push(`${v.Your} CPV code ${cpvName(sCode)} is close to the notice's ${cpvName(nCode)}.`);
  if (co.codes.length > 1) {
    if (codesMet < co.codes.length) reasons.push(`${v.You} ${v.verb('cover')} ${codesMet} of the ${co.codes.length} kinds of work the notice lists.`);
    else reasons.push(`${v.You} ${v.verb('cover')} all ${co.codes.length} kinds of work the notice lists.`);
  }
  const phrases = cs.keywordPhrases.filter((k) => hasPhrase(co.textLower, k)).slice(0, 3);
  if (phrases.length) reasons.push(`${v.Your} keywords ${phrases.map((k) => `"${k}"`).join(', ')} appear in the notice.`);
  else if (parts.sharedWords > 0 && vocab) {
    const common = sharedIds(cs.tokens, co.tokens).slice(0, 4).map((id) => vocab.word(id));
    reasons.push(`${v.Your} description shares words with the notice: ${common.join(', ')}.`);
  }
  // The fit factor: what the notice's own words, the firm's exclusions and its feedback did to the score.
  if (parts.phrases === 0 && parts.text === 0 && (cs.tokens.length > 0 || cs.keywordPhrases.length > 0)) {
    reasons.push(`Nothing in the notice's text matches ${v.your} keywords or description, only its codes: it is ranked lower.`);
  }
  if (parts.excludedBy >= 0) {
    reasons.push(`The notice mentions "${cs.excludePhrases[parts.excludedBy]}", which ${v.you} asked to leave out: it is ranked lower.`);
  }
  if (parts.feedback < 0) reasons.push(`${v.You} marked a similar notice (the same kind of work, words or buyer) as not for ${v.you === 'you' ? 'you' : 'it'}: this one is ranked lower.`);
  else if (parts.feedback > 0) reasons.push(`${v.You} marked a similar notice (the same kind of work, words or buyer) as a good match: this one is ranked higher.`);
  const wins = parts.similarWins;
  if (wins > 0) reasons.push(`${v.You} ${v.have} won ${wins} similar public contract${wins === 1 ? '' : 's'} before (published award notices).`);
  // Place.
  const level = parts.localLevel;
  if (level > 0) {
    const common = localPlace.slice(0, level + 2);
    if (common === localPlace) reasons.push(`${v.You} ${v.are} based in ${placeName(common)}, where the work is delivered.`);
    else reasons.push(`${v.You} ${v.are} based in ${placeName(common)}, the ${level === 1 ? 'region' : 'sub-region'} of the delivery place, ${placeName(localPlace)}.`);
  } else if (co.places.length) {
    reasons.push(`Delivery is in ${co.places.slice(0, 3).map(placeName).join(', ')}, which ${v.you} ${v.verb('serve')}${cs.national ? ' nationally' : ''}.`);
  } else if (co.nationalPlaces.length) {
    reasons.push(`Delivery is England-wide, which ${v.you} ${v.verb('serve')}.`);
  } else if (co.placeKnown) {
    reasons.push('Delivery is UK-wide: open to suppliers anywhere.');
  } else {
    reasons.push('The notice does not say where the work is delivered.');
  }
  // Size. "The value", not "its value": to an officer "its" is the supplier's.
  const value = opp.value;
  if (value === null) reasons.push('The value is not published.');
  else if (cs.capacity === Number.POSITIVE_INFINITY) reasons.push(`The value is ${formatMoneyShort(value)}; ${v.you} ${v.have} not said the largest contract ${v.you} can take on.`);
  else if (opp.lotId && opp.lotCount > 1) reasons.push(`This lot is worth ${formatMoneyShort(value)}, within the ${formatMoneyShort(cs.capacity)} ${v.you} can deliver: the tender is split into ${opp.lotCount} lots.`);
  else reasons.push(`The value, ${formatMoneyShort(value)}, is within the ${formatMoneyShort(cs.capacity)} ${v.you} can deliver.`);
  // Suitability: a reservation the supplier meets says it best; else the buyer's suitability flags.
  reasons.push(...reservationNotes(co, cs, v));
  if (co.reservedKind === 0 && co.reservedPlaces.length === 0) {
    if (cs.isVcse && opp.suitableVcse) reasons.push('The buyer marked it as suitable for VCSEs.');
    else if (opp.suitableSme) reasons.push('The buyer marked it as suitable for SMEs.');
    else if (opp.suitableSme === false) reasons.push('The buyer did not mark it as suitable for SMEs.');
  }
  // Time.
  const d = co.daysLeft;
  if (d === null) reasons.push('No bid deadline is published.');
  else {
    const days = Math.floor(d);
    const due = opp.deadline!.slice(0, 10);
    reasons.push(days < 1 ? `Bids close today (${due}).` : `${days} day${days === 1 ? '' : 's'} left to bid (closes ${due}).`);
  }
  if (cs.profile.highPotential) reasons.push(`${v.You} ${v.are} flagged as a high-potential firm.`);
  return reasons;
}
