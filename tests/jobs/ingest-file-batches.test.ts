import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import type { Db } from '../../db/client.js';
import { cfTender } from '../support/fixtures/releases.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { testDeps } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every stored row that ingest derives, without the times of writing. */
async function storeContents(db: Db) {
  return {
    releases: await db.selectFrom('releases').select(['source', 'release_id', 'ocid', 'content_hash', 'raw']).orderBy('release_id').execute(),
    tenders: await db.selectFrom('tenders').select(['ocid', 'title', 'status', 'release_count', 'last_release_id', 'content_hash']).orderBy('ocid').execute(),
    cpv: await db.selectFrom('tender_cpv').select(['ocid', 'lot_id', 'code', 'method']).orderBy('ocid').orderBy('lot_id').orderBy('code').execute(),
    places: await db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'party_id', 'code']).orderBy('ocid').orderBy('lot_id').orderBy('role').orderBy('party_id').orderBy('code').execute(),
  };
}

describe('JSON-lines ingest across batches and commits', () => {
  it.each([0, 1, 2])('with %i preparing workers, stores the same as one package when a tender and its amendment sit thousands of lines apart, lines span read chunks, and text is not ASCII', async (workers) => {
    const releases = Array.from({ length: 2400 }, (_, i) => cfTender(i));
    // Amendments of the first tenders arrive near the end of the file, in another batch and another transaction.
    // The first ten also change what they buy and where, so their tags must be replaced, not added to, within one transaction.
    for (let i = 0; i < 30; i++) {
      const tender = cfTender(i);
      const moved: JsonObject = i < 10 ? { classification: { id: '45000000', scheme: 'CPV' }, items: [{ id: '1', deliveryAddresses: [{ region: 'London' }] }] } : {};
      releases.push({ ...tender, id: `open-${i}-amendment`, date: '2026-11-05T09:00:00Z', tag: ['tenderAmendment'], tender: { ...(tender.tender as object), status: 'cancelled', ...moved } });
    }
    // A line far longer than a read chunk, and descriptions with accents and published mojibake.
    const described = (n: number, description: string) => ({ ...cfTender(n), tender: { ...(cfTender(n).tender as object), description } });
    releases[7] = described(7, 'Café renovation – â€™long works’ '.repeat(4000));
    releases[1234] = described(1234, 'Ysgol Gymraeg: gwaith adeiladu ŵ ŷ');
    const lines = join(dir, 'releases.jsonl');
    writeFileSync(lines, releases.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const pkg = join(dir, 'package.json');
    writeFileSync(pkg, JSON.stringify({ uri: 'x', releases }, null, 1));

    const byLines = await testDeps();
    const summary = await ingestFile(byLines, lines, { workers });
    expect(summary).toMatchObject({ fetched: 2430, inserted: 2400, updated: 30, quarantined: 0, changed: 2400, workers });
    const byPackage = await testDeps();
    await ingestFile(byPackage, pkg);

    const a = await storeContents(byLines.db);
    expect(a.releases).toHaveLength(2430);
    expect(a.tenders.find((t) => t.ocid === 'ocds-b5fd17-test-open-3')).toMatchObject({ release_count: 2, status: 'cancelled', last_release_id: 'open-3-amendment' });
    expect(a.tenders.filter((t) => t.status === 'cancelled')).toHaveLength(30);
    expect(a.cpv.filter((c) => c.ocid === 'ocds-b5fd17-test-open-3').map((c) => c.code)).toEqual(['45000000']);
    expect(a.places.filter((p) => p.ocid === 'ocds-b5fd17-test-open-3' && p.role === 'delivery').map((p) => p.code)).toEqual(['TLI']);
    expect(JSON.parse(a.releases.find((r) => r.release_id === 'open-7-tender')!.raw).tender.description).toContain('Café renovation – â€™long works’');
    expect(a).toEqual(await storeContents(byPackage.db));

    // Again: nothing changes.
    expect(await ingestFile(byLines, lines, { workers })).toMatchObject({ fetched: 2430, unchanged: 2430, changed: 0 });
    expect(await storeContents(byLines.db)).toEqual(a);
  }, 120_000);
});
