/**
 * The HTTP contract of a supplier profile: the body of POST and PATCH /suppliers (its shape; what the fields mean is
 * checked by checkSupplier in src/domain/suppliers) and the answers, for the route schemas and /openapi.json.
 */
import { SUPPLIER_KINDS, type SupplierKind } from '../domain/matching/types.js';
import { checkSupplier, STAFF_BANDS, TURNOVER_BANDS, type SupplierFields } from '../domain/suppliers/index.js';
import type { FieldProblem } from '../errors.js';
import { fieldProblems, record, z } from './contract.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const money = z.number().finite().nonnegative();

export const supplierBody = z
  .strictObject({
    name: text(200),
    kind: z.enum(SUPPLIER_KINDS as unknown as [SupplierKind, ...SupplierKind[]]),
    company_number: z.string().nullable().optional().openapi({ description: 'Companies House number', example: 'SC123456' }),
    postcode: z.string().nullable().optional().openapi({ description: 'required on registration: where the supplier is based', example: 'B15 2TT' }),
    home_region: z.string().nullable().optional().openapi({ description: 'an ITL/NUTS code or name inside the postcode\'s region' }),
    serves: z.array(z.string()).max(100).optional().openapi({ description: 'region codes or names, postcodes, local or combined authorities, named places' }),
    national: z.boolean().optional(),
    cpv_codes: z.array(z.string()).max(200).optional().openapi({ description: 'CPV 2008 codes; needed unless a cooperative names members', example: ['72212000'] }),
    description: z.string().max(5000).nullable().optional(),
    keywords: z.array(text(100)).max(50).optional(),
    exclude_words: z.array(text(100)).max(50).optional().openapi({ description: 'words or phrases of notices the firm does not want (a notice whose text has one scores lower, and says why)', example: ['drainage'] }),
    max_contract_value: money.nullable().optional().openapi({ description: 'pounds' }),
    turnover_band: z.enum(TURNOVER_BANDS).nullable().optional(),
    staff_band: z.enum(STAFF_BANDS).nullable().optional(),
    certifications: z.array(text(100)).max(50).optional(),
    contact_email: z.email().max(254).nullable().optional(),
    growth: z
      .array(
        z.strictObject({
          year: z.number().int().min(1900).max(2200),
          turnover: money.nullable().optional(),
          employees: z.number().int().nonnegative().nullable().optional(),
        }),
      )
      .max(20)
      .nullable()
      .optional(),
    // At most 90: membership writes must fit D1's 100 bound parameters in one statement.
    members: z.array(z.string().min(1)).max(90).optional().openapi({ description: "a cooperative's member firms (supplier ids); each is invited" }),
    high_potential_override: z.boolean().nullable().optional().openapi({ description: 'administrator only' }),
  })
  .openapi('SupplierProfileInput');

export const supplierPatch = supplierBody.partial().openapi('SupplierProfilePatch');

/** A registration body read as POST /suppliers reads it (its shape, then what its fields mean), for the register page. */
export function readSupplierBody(raw: unknown): ReturnType<typeof checkSupplier> | { ok: false; problems: FieldProblem[] } {
  const parsed = supplierBody.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: fieldProblems(parsed.error, 'is not a field of a supplier profile') };
  return checkSupplier(parsed.data as SupplierFields);
}

export const supplierView = record({
  id: z.string(),
  name: z.string(),
  kind: z.enum(SUPPLIER_KINDS as unknown as [SupplierKind, ...SupplierKind[]]),
  company_number: z.string().nullable(),
  postcode: z.string().nullable(),
  home_region: z.string().nullable(),
  serves: z.array(z.string()),
  national: z.boolean(),
  cpv_codes: z.array(z.object({ code: z.string(), label: z.string().nullable() })),
  high_potential: z.boolean(),
  matching: z.enum(['pending', 'done']).optional(),
  contact_email: z.string().nullable().optional().openapi({ description: 'private view only (own key or admin key)' }),
}).openapi('Supplier');

const whole = (min: number, max?: number) => {
  const n = z.coerce.number().int().min(min);
  return max === undefined ? n : n.max(max);
};

export const supplierSearchQuery = z.object({
  q: z.string().optional().openapi({ description: 'words, typos tolerated; up to 200 characters' }),
  cpv: z.string().optional().openapi({ description: 'comma-separated CPV codes or their first digits', example: '72,45310000' }),
  region: z.string().optional().openapi({ description: 'a region code, local or combined authority, region name or named place' }),
  region_match: z.enum(['inside', 'any']).optional(),
  kind: z.enum(SUPPLIER_KINDS as unknown as [SupplierKind, ...SupplierKind[]]).optional(),
  high_potential: z.enum(['true', 'false']).optional(),
  min_value: z.string().optional().openapi({ description: 'pounds: suppliers able to take a contract this large', example: '250000' }),
  certification: z.string().optional(),
  limit: whole(1, 500).default(50),
  offset: whole(0).default(0),
  cursor: z.string().optional().openapi({ description: 'next_cursor of the page before' }),
});

export const matchesQuery = z.object({ limit: whole(1, 500).default(100), offset: whole(0).default(0) });
