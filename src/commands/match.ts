import { drainMatchQueue, drainSupplierMatchQueue, matchSupplier, matchTenders } from '../../jobs/match.js';
import { openTenderOcids } from '../../db/queries/matches.js';
import { queuedCount } from '../../db/queries/match-queue.js';
import { stringOption, type Command } from './types.js';

export const matchCommand: Command = {
  summary: 'match the tenders and suppliers waiting in the match queues (or all open tenders, some tenders, or one supplier)',
  usage: 'match [--all | --ocid OCID[,OCID...] | --supplier ID]',
  flags: { all: { type: 'boolean' }, ocid: { type: 'string' }, supplier: { type: 'string' } },
  async run(deps, options, io) {
    const supplier = stringOption(options, 'supplier');
    if (supplier) {
      const r = await matchSupplier(deps, supplier);
      if (!r.found) throw new Error(`no supplier ${supplier}`);
      io.progress(`supplier ${supplier}: ${r.written} matches over ${r.openTenders} open tenders`);
      return { command: 'match', ...r };
    }
    const given = stringOption(options, 'ocid');
    if (given === undefined && !options.all) {
      const r = await drainMatchQueue(deps, { onProgress: (matched) => io.progress(`match: ${matched} queued tenders matched`) });
      io.progress(
        `${r.matched} queued tenders (${r.opportunities} tenders and lots, ${r.closed} closed) against ${r.suppliers} suppliers: ${r.written} matches stored, ${r.removed} removed, ${r.expiredDropped} expired dropped; ${r.queued} still queued`,
      );
      const s = await drainSupplierMatchQueue(deps);
      io.progress(`${s.matched} queued suppliers against ${s.openTenders} open tenders: ${s.written} matches stored, ${s.removed} removed; ${s.queued} still queued`);
      return { command: 'match', ...r, suppliersQueue: { matched: s.matched, queued: s.queued, written: s.written, removed: s.removed } };
    }
    const ocids = given ? given.split(',').map((s) => s.trim()).filter(Boolean) : await openTenderOcids(deps.db, deps.clock.now().toISOString());
    const r = await matchTenders(deps, { ocids });
    io.progress(`${r.tenders} tenders (${r.opportunities} tenders and lots, ${r.closed} closed) against ${r.suppliers} suppliers: ${r.written} matches stored, ${r.removed} removed, ${r.expiredDropped} expired dropped`);
    // These tenders stay queued if they were: `match` alone takes the queue.
    return { command: 'match', ...r, queued: await queuedCount(deps.db) };
  },
};
