import { describe, expect, it } from 'vitest';
import { SupplierSearch, type SearchableSupplier } from '../../src/domain/suppliers/search.js';

const firm = (id: string, name: string, description: string, keywords: string[] = [], certifications: string[] = []): SearchableSupplier => ({ id, name, description, keywords, certifications });
const registry = new SupplierSearch([
  firm('sparks', 'Glasgow Sparks', 'Electrical inspection, testing and condition reports (EICR) for housing associations.', ['electrical inspection'], ['NICEIC']),
  firm('rewire', 'Cardiff Rewiring', 'Electrical installation and rewiring of council housing.', [], ['Cyber Essentials']),
  firm('grounds', 'Ayrshire Green Spaces', 'Grounds maintenance, grass cutting and planting.', ['grounds maintenance']),
  firm('bytes', 'Midlands Bytes', 'Software development and cyber security testing.', [], ['Cyber Essentials Plus', 'ISO 27001']),
]);
const ids = (q: string) => [...registry.search(q).keys()].sort();

describe('free-text search of the registry', () => {
  it.each([
    ['electrical', ['rewire', 'sparks']],
    ['electrical inspection', ['sparks']],
    // Typos: a word like the query's is found.
    ['electricl', ['rewire', 'sparks']],
    ['maintenence', ['grounds']],
    // Every word must match, in any field (here the name and a certification).
    ['cardiff cyber', ['rewire']],
    ['testing', ['bytes', 'sparks']],
    ['plumbing', []],
    ['grounds plumbing', []],
    // Plurals fold as in matching.
    ['inspections', ['sparks']],
  ])('%s → %j', (q, expected) => {
    expect(ids(q)).toEqual(expected);
  });

  it('ranks a word in the name or keywords above the same word in a description, and the word above a look-alike', () => {
    const r = registry.search('cyber');
    // "Cyber" is a certification of both, and in Midlands Bytes' description too: the same best field weight.
    expect(r.get('bytes')).toBe(r.get('rewire'));
    const electrical = registry.search('electrical');
    expect(electrical.get('sparks')!).toBeGreaterThan(electrical.get('rewire')!);
    const typo = registry.search('electricl');
    expect(typo.get('sparks')!).toBeLessThan(electrical.get('sparks')!);
    for (const v of [...r.values(), ...electrical.values(), ...typo.values()]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('has nothing to search for in boilerplate alone', () => {
    expect(SupplierSearch.queryWords('the services of a provider')).toEqual([]);
  });
});
