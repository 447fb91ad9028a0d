/**
 * Lists kept in TEXT columns as JSON (DESIGN.md rule 3: JSON as TEXT). One reader for all of them: a missing,
 * unreadable or non-list value reads as an empty list, and only the strings in it are kept.
 */
export function readList(text: string | null | undefined): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
