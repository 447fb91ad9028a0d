import { matchSupplier, matchTenders } from '../../jobs/match.js';
import { openTenderOcids } from '../../db/queries/matches.js';
import { stringOption, type Command } from './types.js';

export const matchCommand: Command = {
  summary: 'match tenders against registered suppliers (all open tenders, one tender, or one supplier)',
  usage: 'match [--ocid OCID[,OCID...]] [--supplier ID]',
  async run(deps, options, io) {
    const supplier = stringOption(options, 'supplier');
    if (supplier) {
      const r = await matchSupplier(deps, supplier);
      if (!r.found) throw new Error(`no supplier ${supplier}`);
      io.progress(`supplier ${supplier}: ${r.written} matches over ${r.openTenders} open tenders`);
      return { command: 'match', ...r };
    }
    const given = stringOption(options, 'ocid');
    const ocids = given ? given.split(',').map((s) => s.trim()).filter(Boolean) : await openTenderOcids(deps.db, deps.clock.now().toISOString());
    const r = await matchTenders(deps, { ocids });
    io.progress(`${r.tenders} tenders (${r.opportunities} tenders and lots, ${r.closed} closed) against ${r.suppliers} suppliers: ${r.written} matches stored, ${r.removed} removed, ${r.expiredDropped} expired dropped`);
    return { command: 'match', ...r };
  },
};
