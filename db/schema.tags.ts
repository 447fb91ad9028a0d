/** Tables of the tagging migration (002). Owned by the tagging work; merged into Database in schema.ts. */
export interface TagTables {}
