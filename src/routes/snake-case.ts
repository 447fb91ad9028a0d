/**
 * The answer's field names in snake_case, as every JSON answer of the service has them: domain objects are
 * camelCase (`lotId`, `soloSuppliers`), and routes that answer with them whole turn them here. Only keys change,
 * never values (reasons, names and ids are text as they are).
 */
export function snakeKeys<T>(value: T): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = snakeKeys(v);
  return out;
}
