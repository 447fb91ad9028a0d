/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { readList } from '../../../db/json-columns.js';
import { areaFor } from '../../../db/queries/places.js';
import { cooperativesOf, getSupplierRow, membersOf } from '../../../db/queries/suppliers.js';
import type { AppEnv } from '../../app-env.js';
import { cpvDivisions, cpvLabel } from '../../domain/cpv/index.js';
import { isNowhere, itlCodesOf, itlName, placeMatch, type PlaceMatch } from '../../domain/geo/index.js';
import { SUPPLIER_KINDS } from '../../domain/matching/types.js';
import { SupplierSearch, squashCertification, type SearchCursor, type SupplierQuery } from '../../domain/suppliers/search.js';
import type { FieldError } from '../../views/components.js';
import { FindSuppliersPage, SupplierProfilePage, type SupplierSearchForm } from '../../views/supplier-pages.js';
import { supplierPlaces } from '../supplier-places.js';
import { chrome, notFoundPage } from './common.js';

/** Officers' supplier search (`/find/suppliers`) and profiles (`/supplier/:id`), over the registry GET /suppliers reads. */
const PAGE_SIZE = 20;

const isHighPotential = (row: { high_potential_override: number | null; high_potential_derived: number }) =>
  row.high_potential_override === null ? row.high_potential_derived === 1 : row.high_potential_override === 1;

function cursorFrom(text: string | undefined): SearchCursor | null | undefined {
  if (text === undefined) return undefined;
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as SearchCursor;
    const ok = (c.relevance === null || Number.isFinite(c.relevance)) && typeof c.highPotential === 'boolean' && typeof c.name === 'string' && typeof c.id === 'string';
    return ok ? { relevance: c.relevance, highPotential: c.highPotential, name: c.name, id: c.id } : null;
  } catch {
    return null;
  }
}

async function namesOf(c: { var: AppEnv['Variables'] }, ids: string[]) {
  if (!ids.length) return [];
  const rows = await c.var.deps.db.selectFrom('suppliers').select(['id', 'name']).where('id', 'in', ids).orderBy('name').execute();
  return rows;
}

export const supplierPages = new Hono<AppEnv>()
  .get('/find/suppliers', async (c) => {
    const deps = c.var.deps;
    const q = c.req.query();
    const form: SupplierSearchForm = {
      q: (q.q ?? '').slice(0, 200),
      cpv: q.cpv ?? '',
      region: (q.region ?? '').slice(0, 100),
      kind: q.kind ?? '',
      certification: (q.certification ?? '').slice(0, 100),
      min_value: q.min_value ?? '',
      high_potential: q.high_potential === 'true',
    };
    const errors: FieldError[] = [];
    const text = form.q.trim();
    if (text && !SupplierSearch.queryWords(text).length) errors.push({ field: 'q', message: 'Give a word to search for: words such as "services" or "the" are not searched' });
    if (form.cpv && !/^\d{2,8}$/.test(form.cpv)) errors.push({ field: 'cpv', message: 'Choose a capability from the list' });
    if (form.kind && !(SUPPLIER_KINDS as readonly string[]).includes(form.kind)) errors.push({ field: 'kind', message: 'Choose a size or kind from the list' });
    const minValue = form.min_value.trim() ? Number(form.min_value.replace(/[£,\s]/g, '')) : undefined;
    if (minValue !== undefined && (!Number.isFinite(minValue) || minValue < 0)) errors.push({ field: 'min_value', message: 'The contract value must be an amount in pounds, such as 100000' });
    const certification = squashCertification(form.certification);
    if (form.certification.trim() && !certification) errors.push({ field: 'certification', message: 'Name a certification, such as ISO 9001' });
    const area = form.region.trim() ? await areaFor(deps.db, form.region.trim()) : null;
    if (form.region.trim() && (!area || isNowhere(area))) errors.push({ field: 'region', message: `We do not know the place "${form.region.trim()}": try a council, a region or a code` });
    const after = cursorFrom(q.cursor);
    if (after === null) errors.push({ field: 'q', message: 'That page of results is no longer available: search again' });
    const divisions = cpvDivisions().map((d): [string, string] => [d.slice(0, 2), `${d.slice(0, 2)}: ${cpvLabel(d) ?? ''}`]);
    const signedIn = await chrome(c);
    if (errors.length) {
      return c.html(
        <FindSuppliersPage signedIn={signedIn} form={form} divisions={divisions} errors={errors} kindCounts={[]} highPotentialCount={null} total={null} suppliers={[]} next={null} first={null} />,
        400,
      );
    }
    const registry = await c.var.registry.current(deps);
    const records = area ? registry.records() : [];
    const placeOf = new Map<number, PlaceMatch>();
    const query: SupplierQuery = {
      text: text || undefined,
      cpv: form.cpv ? [form.cpv.replace(/0+$/, '').padEnd(2, '0')] : undefined,
      regions: area ? itlCodesOf(area) : undefined,
      where: area
        ? (doc) => {
            const r = records[doc];
            const match = placeMatch(supplierPlaces(registry.rows[doc].postcode, r.homeRegion, r.serves, r.national), area);
            if (match === 'outside') return false;
            placeOf.set(doc, match);
            return true;
          }
        : undefined,
      minValue,
      certification: certification || undefined,
      boostHighPotential: deps.config.HIGH_POTENTIAL_BOOST > 0,
    };
    const search = registry.search();
    const found = search.find({ ...query, kind: form.kind || undefined, highPotential: form.high_potential ? true : undefined }, { limit: PAGE_SIZE, after: after ?? undefined });
    // The count beside each choice: what the search would find with that choice instead, the others kept. One pass
    // over the suppliers the other filters find, tallied by kind and flag (not one search per choice).
    const byKind = new Map<string, number>();
    let highPotentialCount = 0;
    const placed = query.where;
    search.find(
      {
        ...query,
        where: (doc) => {
          if (placed && !placed(doc)) return false;
          const row = registry.rows[doc];
          const hp = isHighPotential(row);
          if (!form.high_potential || hp) byKind.set(row.kind, (byKind.get(row.kind) ?? 0) + 1);
          if (hp && (!form.kind || row.kind === form.kind)) highPotentialCount++;
          return true;
        },
      },
      { limit: 1 },
    );
    const kindCounts = SUPPLIER_KINDS.map((kind) => ({ kind, count: byKind.get(kind) ?? 0 }));
    const url = new URL(c.req.url);
    const withCursor = (value: string | null) => {
      const params = new URLSearchParams(url.search);
      if (value) params.set('cursor', value);
      else params.delete('cursor');
      return `/find/suppliers?${params.toString()}`;
    };
    const suppliers = found.hits.map(({ doc }) => {
      const row = registry.rows[doc];
      const codes = readList(row.cpv_codes);
      return {
        id: row.id,
        name: row.name,
        kind: row.kind,
        base: row.home_region ? itlName(row.home_region) : null,
        capabilities: codes.slice(0, 4).map((code) => cpvLabel(code) ?? code),
        description: row.description,
        highPotential: isHighPotential(row),
        match: placeOf.get(doc),
      };
    });
    return c.html(
      <FindSuppliersPage
        signedIn={signedIn}
        form={form}
        divisions={divisions}
        errors={[]}
        kindCounts={kindCounts}
        highPotentialCount={highPotentialCount}
        total={found.total}
        suppliers={suppliers}
        next={found.next ? withCursor(Buffer.from(JSON.stringify(found.next)).toString('base64url')) : null}
        first={after ? withCursor(null) : null}
      />,
    );
  })
  .get('/supplier/:id', async (c) => {
    const { db } = c.var.deps;
    const row = await getSupplierRow(db, c.req.param('id'));
    if (!row) return notFoundPage(c, `No supplier ${c.req.param('id')} is registered.`);
    const [members, memberOf] = await Promise.all([membersOf(db, row.id), cooperativesOf(db, row.id)]);
    return c.html(
      <SupplierProfilePage
        signedIn={await chrome(c)}
        supplier={{
          id: row.id,
          name: row.name,
          kind: row.kind,
          postcode: row.postcode,
          base: row.home_region ? itlName(row.home_region) : null,
          serves: readList(row.serves).map((code) => itlName(code) ?? code),
          national: row.national === 1,
          capabilities: readList(row.cpv_codes).map((code) => ({ code, label: cpvLabel(code) })),
          description: row.description,
          keywords: readList(row.keywords),
          maxContractValue: row.max_contract_value,
          turnoverBand: row.turnover_band,
          staffBand: row.staff_band,
          certifications: readList(row.certifications),
          highPotential: isHighPotential(row),
          members: await namesOf(c, members),
          memberOf: await namesOf(c, memberOf),
        }}
      />,
    );
  });
