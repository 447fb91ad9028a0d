/**
 * Packing compiled suppliers into a SupplierTable (compiled.ts), the only form the scoring kernel reads: an
 * index's table of every supplier, a table filed for a list of suppliers, or one reused row for a supplier
 * scored on its own.
 */
import { cpvNibbles, itlBits } from './closeness.js';
import {
  FLAG_EXCLUDE,
  FLAG_FEEDBACK,
  FLAG_HIGH_POTENTIAL,
  FLAG_MUTUAL_KIND,
  FLAG_NATIONAL,
  FLAG_PAST_WINS,
  FLAG_PHRASES,
  FLAG_VCSE,
  type CompiledSupplier,
  type SupplierTable,
} from './compiled.js';

/** A table of `rows`, in that order. */
export function supplierTable(rows: CompiledSupplier[]): SupplierTable {
  let areas = 0;
  let cpv = 0;
  let toks = 0;
  for (const r of rows) {
    areas += r.areas.length;
    cpv += r.sig.length;
    toks += r.tokens.length;
  }
  const t = emptyTable(rows.length, areas, cpv, toks);
  fillRows(t, rows);
  return t;
}

/** A table of `rows` that each supplier knows as its own (CompiledSupplier.table and .row): scoring it later reads that row. */
export function fileSuppliers(rows: CompiledSupplier[]): SupplierTable {
  const table = supplierTable(rows);
  rows.forEach((s, row) => {
    s.table = table;
    s.row = row;
  });
  return table;
}

let scratch: SupplierTable | null = null;
const EMPTY_ROW = null as unknown as CompiledSupplier;

/**
 * A one-row table holding `cs`, for a supplier scored outside any table: one reused table it is copied into,
 * rather than a table made for it. Hand it back with releaseScratchRow once scored, so that the supplier is let go.
 */
export function scratchRowOf(cs: CompiledSupplier): SupplierTable {
  if (!scratch || scratch.areaNum.length < cs.areas.length || scratch.cpvNum.length < cs.sig.length || scratch.tok.length < cs.tokens.length) {
    scratch = emptyTable(1, Math.max(8, cs.areas.length), Math.max(16, cs.sig.length), Math.max(64, cs.tokens.length));
  }
  fillRows(scratch, [cs]);
  return scratch;
}

export function releaseScratchRow(t: SupplierTable): void {
  t.rows[0] = EMPTY_ROW;
}

function emptyTable(n: number, areas: number, cpv: number, toks: number): SupplierTable {
  return {
    rows: [],
    ids: [],
    divs: new Uint32Array(4 * n),
    flags: new Uint8Array(n),
    cap: new Float64Array(n),
    homeNum: new Uint32Array(n),
    homeLen: new Int8Array(n),
    areaOff: new Int32Array(n + 1),
    areaNum: new Uint32Array(areas),
    areaLen: new Uint8Array(areas),
    cpvOff: new Int32Array(n + 1),
    cpvNum: new Uint32Array(cpv),
    cpvLen: new Uint8Array(cpv),
    tokOff: new Int32Array(n + 1),
    tok: new Int32Array(toks),
  };
}

function fillRows(t: SupplierTable, rows: CompiledSupplier[]): void {
  const n = rows.length;
  t.rows = rows;
  t.ids = rows.map((r) => r.profile.id);
  let a = 0;
  let c = 0;
  let k = 0;
  rows.forEach((r, i) => {
    // Plain loops: TypedArray.set from a plain array is the slow path.
    for (let d = 0; d < 4; d++) t.divs[4 * i + d] = r.divisions[d];
    t.flags[i] =
      (r.national ? FLAG_NATIONAL : 0) |
      (r.isVcse ? FLAG_VCSE : 0) |
      (r.isMutualKind ? FLAG_MUTUAL_KIND : 0) |
      (r.pastWins.length ? FLAG_PAST_WINS : 0) |
      (r.profile.highPotential ? FLAG_HIGH_POTENTIAL : 0) |
      (r.keywordPhrases.length ? FLAG_PHRASES : 0) |
      (r.excludePhrases.length ? FLAG_EXCLUDE : 0) |
      (r.marks.length ? FLAG_FEEDBACK : 0);
    t.cap[i] = r.capacity;
    t.homeNum[i] = r.homeNum;
    t.homeLen[i] = r.homeLen;
    t.areaOff[i] = a;
    for (const area of r.areas) {
      t.areaNum[a] = itlBits(area);
      t.areaLen[a++] = area.length - 2;
    }
    t.cpvOff[i] = c;
    for (const sig of r.sig) {
      t.cpvNum[c] = cpvNibbles(sig);
      t.cpvLen[c++] = sig.length;
    }
    t.tokOff[i] = k;
    for (const tok of r.tokens) t.tok[k++] = tok;
  });
  t.areaOff[n] = a;
  t.cpvOff[n] = c;
  t.tokOff[n] = k;
}
