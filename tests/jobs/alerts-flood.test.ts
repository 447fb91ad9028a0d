import { describe, expect, it } from 'vitest';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { savePreferences, DEFAULT_PREFERENCES } from '../../db/queries/alerts.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { addMatch, addSupplier, addTender } from '../support/alerts-seed.js';

/**
 * No flood of email: a newly registered firm with 844 matches set to "as soon as found" used to get 85 emails,
 * one per alert run. Now its first digest holds its best matches and says how many more wait on its matches page;
 * after that each run sends only what is new, at most one email, and never more in a day than the firm allows.
 */
async function firmWithMatches(n: number) {
  const deps = await testDeps({ env: { UNSUBSCRIBE_SECRET: 'flood-test-secret-0123456789' } });
  deps.clock.set(new Date('2026-11-24T09:00:00Z'));
  await addSupplier(deps.db, { id: 'firm', email: 'bids@firm.test' });
  await savePreferences(deps.db, 'firm', { ...DEFAULT_PREFERENCES, frequency: 'immediate' }, deps.clock.now(), false);
  for (let i = 0; i < n; i++) {
    const ocid = `t${String(i).padStart(4, '0')}`;
    await addTender(deps.db, { ocid, title: `Grounds maintenance ${i}` });
    await addMatch(deps.db, { supplier: 'firm', ocid, score: 0.3 + (i % 500) / 1000 });
  }
  const run = async (minutes = 5) => {
    deps.clock.advance(minutes * 60_000);
    return sendDueAlerts(deps);
  };
  return { deps, run };
}

describe('no flood of email', () => {
  it('a firm with 844 matches gets one email with its best 10 and the count of the rest, then only what is new', async () => {
    const { deps, run } = await firmWithMatches(844);
    await run();
    expect(deps.mailer.sent).toHaveLength(1);
    const first = deps.mailer.sent[0].text;
    expect(first).toMatch(/834 more matches wait on your matches page: http:\/\/localhost:3000\/suppliers\/firm\/matches/);
    expect(first.match(/^\d+\. Grounds maintenance/gm)).toHaveLength(10);
    // The best come first: scores 0.799 (i = 499 and 343 others share the top residues).
    expect(first).toMatch(/^1\. Grounds maintenance 499$/m);

    for (let i = 0; i < 12; i++) await run(); // an hour of runs: nothing new, nothing sent
    expect(deps.mailer.sent).toHaveLength(1);

    await addTender(deps.db, { ocid: 'fresh-1', title: 'Playground inspection' });
    await addMatch(deps.db, { supplier: 'firm', ocid: 'fresh-1', score: 0.5 });
    await run();
    await run();
    expect(deps.mailer.sent).toHaveLength(2);
    expect(deps.mailer.sent[1].text.match(/^\d+\. /gm)).toEqual(['1. ']);
    expect(deps.mailer.sent[1].text).toMatch(/Playground inspection/);
    expect(deps.mailer.sent[1].text).not.toMatch(/more match/);
  });

  it('never sends more emails in a day than the firm allows; what waits goes the next day', async () => {
    const { deps, run } = await firmWithMatches(3);
    const app = createApp(deps);
    const put = await app.request('/suppliers/firm/alerts', {
      method: 'PUT',
      headers: { authorization: 'Bearer key-firm', 'content-type': 'application/json' },
      body: JSON.stringify({ daily_cap: 2 }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { preferences: { daily_cap: number } }).preferences.daily_cap).toBe(2);
    await run();
    for (let i = 0; i < 3; i++) {
      await addTender(deps.db, { ocid: `later-${i}`, title: `Hedge cutting ${i}` });
      await addMatch(deps.db, { supplier: 'firm', ocid: `later-${i}`, score: 0.6 });
      await run(30);
    }
    expect(deps.mailer.sent).toHaveLength(2);
    expect(deps.mailer.sent[1].text).toMatch(/Hedge cutting 0/);
    await run(24 * 60);
    expect(deps.mailer.sent).toHaveLength(3);
    expect(deps.mailer.sent[2].text).toMatch(/Hedge cutting 1[\s\S]*Hedge cutting 2|Hedge cutting 2[\s\S]*Hedge cutting 1/);
    const bad = await app.request('/suppliers/firm/alerts', {
      method: 'PUT',
      headers: { authorization: 'Bearer key-firm', 'content-type': 'application/json' },
      body: JSON.stringify({ daily_cap: 0 }),
    });
    // A bad body is 422 in the one error model, naming the field.
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string; details: { fields: Array<{ field: string }> } } }).error).toMatchObject({ code: 'invalid_body', details: { fields: [{ field: 'daily_cap' }] } });
  });
});
