/** Tables of the supplier and matching migration (003). Merged into Database in schema.ts. */
export interface SupplierTables {}
