/**
 * Consortium proposals for a tender or lot that no single local supplier can take on, because its value
 * is above every capacity or its CPV needs are wider than any one firm's. Up to five groups of two to
 * five local suppliers: registered cooperatives first (they already work together), then groups built
 * greedily from different starting firms, each adding the member that covers most of what is still
 * missing, until the group covers every CPV need and its combined capacity covers the value.
 *
 * Every member must be able to bid as the scorer would let it bid alone, except for capacity and CPV breadth,
 * which the group combines: it serves the delivery place, meets any reservation of participation (VCSEs only,
 * mutuals, suppliers based in a county...), and is local. A cooperative bids as one: it is held to those gates.
 *
 * An unstated capacity (maxContractValue null) is read as the scorer reads it: it never rules a bidder out, so a
 * local firm that covers the work and has not said its capacity can take it on alone, as it is matched alone; and
 * it never counts towards a value that firms pool, since nobody knows what it adds. Groups say so.
 */
import { cpvLabel } from '../cpv/index.js';
import { formatMoneyShort } from '../money.js';
import { cpvRelation, sharedItlLevel } from './closeness.js';
import { compileOpportunity, compileSupplier } from './compile.js';
import type { CompiledOpportunity, CompiledSupplier } from './compiled.js';
import { CPV_GATE, meetsReservations, servesPlace } from './gates.js';
import { reservationInWords } from './reasons.js';
import { SupplierIndex } from './supplier-index.js';
import { fileSuppliers } from './supplier-table.js';
import { Vocabulary } from './text.js';
import type { Opportunity, SupplierProfile } from './types.js';

export interface ConsortiumMember {
  supplierId: string;
  name: string;
  kind: string;
  /** CPV codes of the notice this member takes on. */
  covers: string[];
  /** Lots (of a multi-lot tender) whose work this member can do. */
  lots: string[];
  capacity: number | null;
  local: boolean;
  says: string;
}

export interface Consortium {
  /** 'cooperative' = an existing registered cooperative; 'proposed' = firms that could team up. */
  kind: 'cooperative' | 'proposed';
  cooperativeId: string | null;
  cooperativeName: string | null;
  members: ConsortiumMember[];
  capacity: number | null;
  reasons: string[];
}

export interface ConsortiumProposal {
  ocid: string;
  lotId: string;
  needs: string[];
  value: number | null;
  /** False when one supplier can take it on alone (then `soloSuppliers` names up to five). */
  needed: boolean;
  why: string[];
  soloSuppliers: string[];
  groups: Consortium[];
}

const MAX_GROUPS = 5;
const MAX_MEMBERS = 5;
const MAX_SEEDS = 25;

interface Candidate {
  cs: CompiledSupplier;
  covers: boolean[];
  capacity: number | null;
  local: boolean;
  /** 3 = same ITL3 area as the delivery place … 1 = same ITL1 region. */
  localLevel: number;
}

function coverageOf(co: CompiledOpportunity, cs: CompiledSupplier): boolean[] {
  return co.sig.map((need) => cs.sig.some((s) => cpvRelation(need, s) >= CPV_GATE));
}

/** How local a supplier is to the delivery place: 0 = not local; unplaced or UK-wide work counts as region-level. */
function localLevel(co: CompiledOpportunity, cs: CompiledSupplier): number {
  const home = cs.profile.homeRegion;
  if (!home) return 0;
  const places = co.places.length ? co.places : co.nationalPlaces;
  if (!places.length) return 1;
  return Math.max(0, ...places.map((p) => Math.min(sharedItlLevel(home, p), Math.min(home.length, p.length) - 2)));
}

const codeName = (c: string) => {
  const l = cpvLabel(c);
  return l ? `${c} (${l})` : c;
};

/**
 * Proposes consortia for `opportunity` from `suppliers` (cooperatives as combined profiles with `members`).
 * `lots` are the lots of a multi-lot tender, used to say which lots each member could do.
 */
export function proposeConsortia(
  opportunity: Opportunity,
  suppliers: SupplierProfile[] | SupplierIndex,
  now: Date,
  lots: Opportunity[] = [],
): ConsortiumProposal {
  // An index brings its suppliers compiled already (an officer's listing holds one): no profile is compiled again.
  const vocab = suppliers instanceof SupplierIndex ? suppliers.vocab : new Vocabulary();
  const compiled = suppliers instanceof SupplierIndex ? suppliers.suppliers : suppliers.map((p) => compileSupplier(p, vocab));
  // Each is held to the scorer's place and reservation gates, on its row of a packed table (the index's, or one filed here).
  if (!(suppliers instanceof SupplierIndex)) fileSuppliers(compiled);
  const co = compileOpportunity(opportunity, now, vocab);
  const value = opportunity.value;
  const base: ConsortiumProposal = {
    ocid: opportunity.ocid,
    lotId: opportunity.lotId,
    needs: co.codes,
    value,
    needed: false,
    why: [],
    soloSuppliers: [],
    groups: [],
  };
  if (co.closed) return { ...base, why: [co.closed.reason] };

  const lotSigs = lots.map((l) => ({ id: l.lotId, sig: compileOpportunity(l, now, vocab).sig }));
  const all: Candidate[] = [];
  let reservedOut = 0;
  for (const cs of compiled) {
    const p = cs.profile;
    if (!servesPlace(co, cs.table!, cs.row!)) continue;
    const level = localLevel(co, cs);
    if (level === 0) continue;
    if (!meetsReservations(co, cs.table!, cs.row!)) {
      reservedOut++;
      continue;
    }
    all.push({ cs, covers: coverageOf(co, cs), capacity: p.maxContractValue, local: true, localLevel: level });
  }
  const reservedFor = reservationInWords(co);
  const reservedWhy =
    reservedOut && reservedFor
      ? `Bids are reserved for ${reservedFor}: ${reservedOut} local supplier${reservedOut === 1 ? '' : 's'} that ${reservedOut === 1 ? 'does' : 'do'} not qualify ${reservedOut === 1 ? 'is' : 'are'} left out.`
      : null;
  // Unstated capacity holds nobody back (as in the scorer) but adds nothing to a pooled value.
  const fitsValue = (capacity: number | null) => value === null || capacity === null || capacity >= value;
  // A cooperative is already a group: it is proposed below, first, rather than counted as one firm.
  const solo = all.filter((c) => c.cs.profile.kind !== 'cooperative' && c.covers.every(Boolean) && fitsValue(c.capacity));
  if (solo.length) {
    const why = [`${solo.length} local supplier${solo.length === 1 ? '' : 's'} can take this on alone.`];
    const unstated = value === null ? 0 : solo.filter((c) => c.capacity === null).length;
    if (unstated) {
      why.push(
        unstated === solo.length
          ? `${unstated === 1 ? 'It has' : 'They have'} not said the largest contract ${unstated === 1 ? 'it' : 'they'} can take on, so check ${unstated === 1 ? 'it' : 'they'} can deliver ${formatMoneyShort(value!)}.`
          : `${unstated} of them ${unstated === 1 ? 'has' : 'have'} not said the largest contract ${unstated === 1 ? 'it' : 'they'} can take on.`,
      );
    }
    return { ...base, why, soloSuppliers: solo.slice(0, 5).map((c) => c.cs.profile.id) };
  }
  const firmsOnly = all.filter((c) => c.cs.profile.kind !== 'cooperative');
  const widest = Math.max(0, ...firmsOnly.map((c) => c.covers.filter(Boolean).length));
  const stated = firmsOnly.filter((c) => c.capacity !== null).map((c) => c.capacity!);
  const unstatedFirms = firmsOnly.length - stated.length;
  const biggest = Math.max(0, ...stated);
  const why: string[] = [];
  if (reservedWhy) why.push(reservedWhy);
  if (widest < co.codes.length) why.push(`No single local supplier covers all ${co.codes.length} kinds of work it needs (the most any covers is ${widest}).`);
  if (value !== null && biggest < value) {
    why.push(
      !stated.length
        ? `Its value is ${formatMoneyShort(value)}, and no local supplier that could take part has stated its capacity.`
        : unstatedFirms
          ? `Its value, ${formatMoneyShort(value)}, is above the largest capacity any local supplier has stated (${formatMoneyShort(biggest)}).`
          : `Its value, ${formatMoneyShort(value)}, is above the largest capacity of any local supplier (${formatMoneyShort(biggest)}).`,
    );
  }
  if (value !== null && unstatedFirms) {
    why.push(`${unstatedFirms} local supplier${unstatedFirms === 1 ? ' has' : 's have'} not said the largest contract ${unstatedFirms === 1 ? 'it' : 'they'} can take on: an unstated capacity does not count towards the value.`);
  }
  if (why.length === (reservedWhy ? 1 : 0)) why.push('No single local supplier both covers the work and has the capacity for it.');

  const describe = (c: Candidate, assigned: number[]): ConsortiumMember => {
    const covers = assigned.map((i) => co.codes[i]);
    const memberLots = lotSigs.filter((l) => l.sig.length && l.sig.every((need) => c.cs.sig.some((s) => cpvRelation(need, s) >= CPV_GATE))).map((l) => l.id);
    const parts = [covers.length ? `covers ${covers.map(codeName).join(', ')}` : 'adds capacity'];
    if (memberLots.length) parts.push(`could deliver lot${memberLots.length === 1 ? '' : 's'} ${memberLots.join(', ')}`);
    if (c.capacity !== null) parts.push(`brings up to ${formatMoneyShort(c.capacity)}`);
    else if (value !== null) parts.push('has not stated its capacity');
    return {
      supplierId: c.cs.profile.id,
      name: c.cs.profile.name,
      kind: c.cs.profile.kind,
      covers,
      lots: memberLots,
      capacity: c.capacity,
      local: c.local,
      says: `${c.cs.profile.name} ${parts.join('; ')}.`,
    };
  };

  /** Gives each need to the first member (in order) that covers it. */
  const assign = (members: Candidate[]) => {
    const owner = co.codes.map((_, i) => members.findIndex((m) => m.covers[i]));
    return members.map((_, k) => owner.flatMap((o, i) => (o === k ? [i] : [])));
  };
  /** The capacities the members have stated, summed (null when none has): an unstated one adds nothing known. */
  const sumCapacity = (members: Candidate[]) => (members.some((m) => m.capacity !== null) ? members.reduce((a, m) => a + (m.capacity ?? 0), 0) : null);

  const groups: Consortium[] = [];
  const seen = new Set<string>();

  // Registered cooperatives whose members together can do it.
  for (const c of all) {
    const members = c.cs.profile.members;
    if (c.cs.profile.kind !== 'cooperative' || !members?.length) continue;
    if (!c.covers.every(Boolean) || !fitsValue(c.capacity)) continue;
    const memberCandidates = members.map((m) => {
      const cs = compileSupplier(m, vocab);
      const level = localLevel(co, cs);
      return { cs, covers: coverageOf(co, cs), capacity: m.maxContractValue, local: level > 0, localLevel: level };
    });
    const assigned = assign(memberCandidates);
    groups.push({
      kind: 'cooperative',
      cooperativeId: c.cs.profile.id,
      cooperativeName: c.cs.profile.name,
      members: memberCandidates.map((m, k) => describe(m, assigned[k])),
      capacity: c.capacity,
      reasons: [
        `${c.cs.profile.name} is a registered cooperative whose members together cover every kind of work needed${value !== null && c.capacity !== null ? ` and ${formatMoneyShort(c.capacity)} of capacity against ${formatMoneyShort(value)}` : ''}.`,
        ...(value !== null && c.capacity === null ? [`It has not stated its combined capacity, so check that it can deliver ${formatMoneyShort(value)}.`] : []),
      ],
    });
    seen.add(memberCandidates.map((m) => m.cs.profile.id).sort().join('|'));
    if (groups.length >= MAX_GROUPS) break;
  }

  // Groups of individual firms.
  const firms = all
    .filter((c) => c.cs.profile.kind !== 'cooperative' && (c.covers.some(Boolean) || c.capacity !== null))
    .sort(
      (a, b) =>
        b.covers.filter(Boolean).length - a.covers.filter(Boolean).length ||
        b.localLevel - a.localLevel ||
        (b.capacity ?? 0) - (a.capacity ?? 0) ||
        (a.cs.profile.id < b.cs.profile.id ? -1 : 1),
    );
  const seeds = firms.filter((f) => f.covers.some(Boolean)).slice(0, MAX_SEEDS);
  for (const seed of seeds) {
    if (groups.length >= MAX_GROUPS) break;
    const members = [seed];
    const covered = [...seed.covers];
    let capacity = seed.capacity ?? 0;
    while (members.length < MAX_MEMBERS && (!covered.every(Boolean) || (value !== null && capacity < value))) {
      let pick: Candidate | null = null;
      let pickGain = 0;
      let pickCap = 0;
      for (const f of firms) {
        if (members.includes(f)) continue;
        const gain = f.covers.reduce((n, c, i) => n + (c && !covered[i] ? 1 : 0), 0);
        const cap = value !== null && capacity < value ? f.capacity ?? 0 : 0;
        if (gain === 0 && cap === 0) continue;
        // Need coverage first, then the most local, then the capacity still missing.
        if (
          !pick ||
          gain > pickGain ||
          (gain === pickGain && f.localLevel > pick.localLevel) ||
          (gain === pickGain && f.localLevel === pick.localLevel && cap > pickCap)
        ) {
          pick = f;
          pickGain = gain;
          pickCap = cap;
        }
      }
      if (!pick) break;
      members.push(pick);
      pick.covers.forEach((c, i) => (covered[i] ||= c));
      capacity += pick.capacity ?? 0;
    }
    if (members.length < 2 || !covered.every(Boolean) || (value !== null && capacity < value)) continue;
    const key = members.map((m) => m.cs.profile.id).sort().join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    const assigned = assign(members);
    const total = sumCapacity(members);
    const silent = value === null ? [] : members.filter((m) => m.capacity === null).map((m) => m.cs.profile.name);
    groups.push({
      kind: 'proposed',
      cooperativeId: null,
      cooperativeName: null,
      members: members.map((m, k) => describe(m, assigned[k])),
      capacity: total,
      reasons: [
        `Together these ${members.length} local firms cover all ${co.codes.length} kind${co.codes.length === 1 ? '' : 's'} of work needed${value !== null && total !== null ? ` and ${formatMoneyShort(total)} of capacity against ${formatMoneyShort(value)}` : ''}.`,
        ...(silent.length
          ? [`${silent.join(', ')} ${silent.length === 1 ? 'has' : 'have'} not stated a capacity, so ${silent.length === 1 ? 'it is' : 'they are'} not counted towards the value.`]
          : []),
      ],
    });
  }
  if (!groups.length) why.push('No group of up to five local suppliers covers it either.');
  return { ...base, needed: true, why, groups };
}
