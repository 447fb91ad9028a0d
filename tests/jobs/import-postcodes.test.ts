import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { importPostcodes } from '../../jobs/import-postcodes.js';
import { resolvePostcode, resolvePostcodes } from '../../db/queries/places.js';
import { storeReleases } from '../../src/ingest/store.js';
import { placeOfPostcode } from '../../src/domain/geo/index.js';
import { cfTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-postcodes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lines as in postcode_to_lad_gb_2025.csv.gz. SE5 9AQ lies in Southwark although most of its sector (SE5 9) is in
// Lambeth; B19 3SD is in Birmingham, as its sector says.
const LIST = ['postcode,lad_code', 'SE5 9AQ,E09000028', 'B19 3SD,E08000025', 'OX11 0AA,E07000179', 'NOT A POSTCODE,E08000025', 'B1 1BB,X99999999'].join('\n') + '\n';

describe('places import-postcodes', () => {
  it('imports a gzip list, skipping rows it cannot read; a postcode it holds then places exactly, stored tags too', async () => {
    const deps = await testDeps();
    // A tender whose buyer sits at SE5 9AQ, stored before the list: placed through its sector, in Lambeth.
    const t = cfTender(1);
    const tender = { ...t, parties: [{ ...(t.parties as object[])[0], address: { streetAddress: '1 Road', postalCode: 'SE5 9AQ' } }] };
    await storeReleases(deps.db, 'cf', [{ raw: JSON.stringify(tender), value: tender }], deps.clock.now().toISOString());
    const before = await deps.db.selectFrom('tender_places').select(['lad', 'lad_confidence']).where('role', '=', 'buyer').executeTakeFirstOrThrow();
    expect(before).toEqual({ lad: 'E09000022', lad_confidence: 0.696 });

    const path = join(dir, 'list.csv.gz');
    writeFileSync(path, gzipSync(LIST));
    const summary = await importPostcodes(deps, path);
    expect(summary).toMatchObject({ read: 5, stored: 3, rejected: 2, tendersMadeExact: 1 });
    expect(summary.rejectedExamples).toEqual(['line 5: "NOT A POSTCODE" is not a UK postcode', 'line 6: "X99999999" is not a local authority district code we know']);
    const after = await deps.db.selectFrom('tender_places').select(['code', 'lad', 'lad_confidence']).where('role', '=', 'buyer').executeTakeFirstOrThrow();
    expect(after).toEqual({ code: 'TLI44', lad: 'E09000028', lad_confidence: 1 }); // Southwark

    expect(await resolvePostcode(deps.db, 'se59aq')).toMatchObject({ lad: 'E09000028', ladName: 'Southwark', confidence: 1, via: 'postcode' });
    expect(placeOfPostcode('SE5 9AQ')).toMatchObject({ lad: 'E09000022', confidence: 0.696, via: 'sector' });
    const many = await resolvePostcodes(deps.db, ['B19 3SD', 'SE5 9ZZ', 'B1']);
    expect([...many.values()].map((p) => [p?.lad, p?.via])).toEqual([
      ['E08000025', 'postcode'],
      ['E09000022', 'sector'], // not in the list: through its sector
      ['E08000025', 'district'],
    ]);

    // Importing the same list again changes nothing.
    expect(await importPostcodes(deps, path)).toMatchObject({ stored: 3, tendersMadeExact: 0 });
    expect(await deps.db.selectFrom('postcode_lads').selectAll().orderBy('postcode').execute()).toEqual([
      { postcode: 'B19 3SD', lad: 'E08000025', source: 'list.csv.gz', imported_at: deps.clock.now().toISOString() },
      { postcode: 'OX11 0AA', lad: 'E07000179', source: 'list.csv.gz', imported_at: deps.clock.now().toISOString() },
      { postcode: 'SE5 9AQ', lad: 'E09000028', source: 'list.csv.gz', imported_at: deps.clock.now().toISOString() },
    ]);

    // A tender stored after the import is placed exactly at once.
    const later = { ...tender, ocid: 'ocds-b5fd17-test-open-2', id: 'open-2' };
    await storeReleases(deps.db, 'cf', [{ raw: JSON.stringify(later), value: later }], deps.clock.now().toISOString());
    expect(await deps.db.selectFrom('tender_places').select(['lad', 'lad_confidence']).where('ocid', '=', later.ocid).where('role', '=', 'buyer').executeTakeFirstOrThrow()).toEqual({ lad: 'E09000028', lad_confidence: 1 });
  });

  it('refuses a file that is not a postcode list, saying what it needs', async () => {
    const deps = await testDeps();
    const path = join(dir, 'other.csv');
    writeFileSync(path, 'name,value\nx,1\n');
    await expect(importPostcodes(deps, path)).rejects.toThrow(/is not a postcode list: it needs a postcode column .* its header is name,value/);
    expect(await deps.db.selectFrom('postcode_lads').selectAll().execute()).toEqual([]);
  });
});
