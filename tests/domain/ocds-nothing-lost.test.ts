import { describe, expect, it } from 'vitest';
import { compileReleases, releaseDate } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { releaseProblem } from '../../src/domain/ocds/release.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { tagTender } from '../../src/domain/tagging/index.js';
import { cfAward } from '../support/fixtures/releases.js';
import { tfgmBusAward, toOldContractsFinderShape } from '../support/fixtures/old-contracts-finder.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('the old Contracts Finder shape (no parties, buyer inline, every supplier "id": 0, sme/vco)', () => {
  const old = toOldContractsFinderShape(tfgmBusAward());

  it('keeps every supplier of an award, each under its own key', () => {
    const record = normalise(compileReleases([old]));
    const suppliers = record.awards[0].suppliers;
    expect(suppliers.map((s) => s.name)).toEqual(['First Manchester Limited', 'Go North West', 'Stagecoach Manchester', 'Stotts Tours (Oldham) Ltd']);
    expect(new Set(suppliers.map((s) => s.partyId)).size).toBe(4);
  });

  it('reads each supplier inline: its address and postcode, its SME and VCSE flags', () => {
    const [first, , , stotts] = normalise(compileReleases([old])).awards[0].suppliers;
    expect(first).toMatchObject({ scale: 'large', vcse: false, address: { postcode: 'OL1 3TR' } });
    expect(stotts).toMatchObject({ scale: 'sme', vcse: true, address: { postcode: 'OL3 6ED' } });
  });

  it("places the tender by the inline buyer's postcode, and every supplier by theirs", () => {
    const record = normalise(compileReleases([old]));
    expect(record.buyer).toMatchObject({ name: 'Transport for Greater Manchester', address: { postcode: 'M1 3BG' } });
    const tags = tagTender(record);
    expect(tags.places.filter((p) => p.role === 'buyer').map((p) => [p.code, p.lad])).toEqual([['TLD33', 'E08000003']]); // Manchester
    const suppliers = tags.places.filter((p) => p.role === 'supplier');
    expect(suppliers.map((p) => p.lad)).toEqual(['E08000004', 'E08000003', 'E08000003', 'E08000004']); // Oldham, Manchester, Manchester, Oldham
    expect(new Set(suppliers.map((p) => p.partyId)).size).toBe(4);
  });

  it('an award update repeating the list with one more supplier ends with all of them, none merged on "id": 0', () => {
    const update = clone(old);
    update.id = 'tfgm-1-update';
    update.date = '2022-11-01T09:00:00Z';
    update.tag = ['awardUpdate'];
    const award = (update.awards as JsonObject[])[0];
    (award.suppliers as JsonObject[]).push({ id: 0, name: 'Diamond Bus North West', address: { streetAddress: 'Ravenscraig Road, Little Hulton, M38 9PR' }, sme: true, vco: false });
    const record = normalise(compileReleases([old, update]));
    expect(record.awards[0].suppliers.map((s) => s.name)).toEqual([
      'First Manchester Limited',
      'Go North West',
      'Stagecoach Manchester',
      'Stotts Tours (Oldham) Ltd',
      'Diamond Bus North West',
    ]);
  });

  it('reads the VCSE flag of a party in the current shape too (details.vcse)', () => {
    const [, , , stotts] = normalise(compileReleases([tfgmBusAward()])).awards[0].suppliers;
    expect(stotts).toMatchObject({ scale: 'sme', vcse: true });
  });
});

describe('a release with "date": "" (a real Trafford award)', () => {
  const award = cfAward(1, { date: '' });

  it('is a release the store can keep', () => {
    expect(releaseProblem(award)).toBeNull();
  });

  it("takes its date from the notice's other dates, the latest of them", () => {
    expect(releaseDate(award)).toBe('2022-10-18T17:08:58+01:00'); // the award's datePublished
  });

  it('is marked undated when the notice has no other date', () => {
    const bare = { ocid: 'ocds-b5fd17-test-undated', id: 'r1', date: '', tag: ['award'], tender: { title: 'x' } };
    expect(releaseProblem(bare)).toBeNull();
    expect(releaseDate(bare)).toBeNull();
  });

  it('still refuses a date that is text but no date', () => {
    expect(releaseProblem({ ocid: 'o', date: 'yesterday' })).toBe('release date is not an ISO-8601 date');
  });
});
