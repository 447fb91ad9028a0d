import { describe, expect, it } from 'vitest';
import { hash64 } from '../../db/digest.js';
import { derivedDigest } from '../../src/domain/ocds/derived-id.js';
import { releaseIdOf } from '../../src/domain/ocds/release.js';
import type { Release } from '../../src/domain/ocds/types.js';

describe('derived release ids', () => {
  it.each([
    [''],
    ['ocds-r6ebe6-0000000001|2019-01-02T00:00:00Z|{"ocid":"ocds-r6ebe6-0000000001"}'],
    ['Cyngor Sir Ynys Môn – “cynnal a chadw” £1,000 ✓ 𝄞'],
    ['x'.repeat(100_000)],
  ])('the pure digest equals the store digest for %#, so ids of stored releases do not move', (text) => {
    expect(derivedDigest(text)).toBe(hash64(text));
    expect(derivedDigest(text)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a release without an id gets the same derived id every time, and another for another text', () => {
    const raw = '{"ocid":"ocds-r6ebe6-1","date":"2019-01-02"}';
    const release = JSON.parse(raw) as Release;
    const a = releaseIdOf(release, raw);
    expect(a).toBe(releaseIdOf(release, raw));
    expect(a).toMatch(/^derived-[0-9a-f]{16}$/);
    expect(releaseIdOf(release, raw.replace('1"', '2"'))).not.toBe(a);
  });
});
