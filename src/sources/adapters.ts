import { contractsFinder } from './contracts-finder.js';
import { findATender } from './find-a-tender.js';
import type { SourceAdapter } from './types.js';

/** Every feed tendermatch can pull, by id. A new feed is one adapter file and one line here. */
export const sourceAdapters: readonly SourceAdapter[] = [findATender, contractsFinder];

export function findAdapter(id: string): SourceAdapter | undefined {
  return sourceAdapters.find((a) => a.id === id);
}

export function sourceIds(): string[] {
  return sourceAdapters.map((a) => a.id);
}
