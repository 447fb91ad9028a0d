/** Tables of the alerts migration (004). Merged into Database in schema.ts. */
export interface AlertTables {}
