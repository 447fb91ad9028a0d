import type { Deps } from './deps.js';
import type { RegistryCache } from './registry-cache.js';

/** Hono's generic parameter for every route group: the deps, and the supplier registry the app holds in memory. */
export type AppEnv = { Variables: { deps: Deps; registry: RegistryCache } };
