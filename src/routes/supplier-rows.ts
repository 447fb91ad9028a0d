import { randomBytes } from 'node:crypto';
import type { NewSupplierRow } from '../../db/schema.suppliers.js';
import { deriveHighPotential, type SupplierInput } from '../domain/suppliers/index.js';

/** A new supplier's id: `sup_` and 12 random characters. */
export function newSupplierId(): string {
  return `sup_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
}

/**
 * The row a registration stores, from a checked profile (checkSupplier's value): one definition for
 * POST /suppliers and the register page.
 */
export function newSupplierRow(id: string, v: Partial<SupplierInput>, keyHash: string, now: Date): NewSupplierRow {
  const at = now.toISOString();
  return {
    id,
    name: v.name!,
    kind: v.kind!,
    company_number: v.companyNumber ?? null,
    postcode: v.postcode ?? null,
    home_region: v.homeRegion ?? null,
    serves: JSON.stringify(v.serves ?? []),
    national: v.national ? 1 : 0,
    cpv_codes: JSON.stringify(v.cpv ?? []),
    description: v.description ?? null,
    keywords: JSON.stringify(v.keywords ?? []),
    exclude_words: JSON.stringify(v.excludeWords ?? []),
    max_contract_value: v.maxContractValue ?? null,
    turnover_band: v.turnoverBand ?? null,
    staff_band: v.staffBand ?? null,
    certifications: JSON.stringify(v.certifications ?? []),
    contact_email: v.contactEmail ?? null,
    key_hash: keyHash,
    growth: v.growth ? JSON.stringify(v.growth) : null,
    high_potential_derived: deriveHighPotential(v.growth ?? null, now.getUTCFullYear()).highPotential ? 1 : 0,
    high_potential_override: v.highPotentialOverride === undefined || v.highPotentialOverride === null ? null : v.highPotentialOverride ? 1 : 0,
    created_at: at,
    updated_at: at,
  };
}
