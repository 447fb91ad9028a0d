/** @jsxImportSource hono/jsx */
import type { SpendReport } from '../domain/spend/report.js';
import { Layout } from './layout.js';
import { ShareChart } from './share-chart.js';

/**
 * The spend report for people: the headline shares with what each is a share of, the local share by quarter,
 * categories, the suppliers from outside the area taking work local firms could do (with those firms and a
 * link to the officer supplier search), what was left out and why, the unresolved share, and the CSV.
 */
export interface ReportPageParams {
  buyer: string;
  place: string;
  from: string;
  to: string;
  view: 'spend' | 'awards';
  include: string[];
}

type Share = { share: number | null; amount: number; denominator: number; not_known?: number; of: string; area?: string | null };

const money = (n: number) => `£${Math.round(n).toLocaleString('en-GB')}`;
const pct = (s: number | null | undefined) => (s === null || s === undefined ? 'not known' : `${(s * 100).toFixed(1)}%`);

const LEVEL_NAMES: Record<string, string> = { own_area: 'own area', named_place: 'wider area', itl1: 'region (ITL1)', uk: 'UK' };

function ShareFigure(props: { what: string; share: Share | null }) {
  const s = props.share;
  if (!s) return null;
  return (
    <li>
      <span class="what">{props.what}</span>
      <span class="value">{pct(s.share)}</span>
      <span class="of">
        {s.denominator === 0 ? `nothing to measure yet: no ${s.of}` : `${money(s.amount)} of ${money(s.denominator)}: ${s.of}`}
        {s.not_known ? `; ${money(s.not_known)} with suppliers not known at this level is left out` : ''}
      </span>
    </li>
  );
}

function query(p: ReportPageParams, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (p.buyer) q.set('buyer', p.buyer);
  if (p.place) q.set('place', p.place);
  if (p.from) q.set('from', p.from);
  if (p.to) q.set('to', p.to);
  if (p.view !== 'spend') q.set('view', p.view);
  if (p.include.length) q.set('include', p.include.join(','));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

function Filters(props: { params: ReportPageParams; path: string }) {
  const p = props.params;
  return (
    <form class="filters" method="get" action={props.path}>
      <label>
        Buyer (or several, comma-separated)
        <input name="buyer" value={p.buyer} />
      </label>
      <label>
        Place
        <input name="place" value={p.place} placeholder="e.g. West Midlands Combined Authority" />
      </label>
      <label>
        From
        <input name="from" value={p.from} placeholder="2014-04-01 or 2014Q1" />
      </label>
      <label>
        To
        <input name="to" value={p.to} placeholder="2015-03-31 or 2014Q4" />
      </label>
      <label>
        View
        <select name="view">
          <option value="spend" selected={p.view === 'spend'}>Payments</option>
          <option value="awards" selected={p.view === 'awards'}>Award notices</option>
        </select>
      </label>
      <label>
        Count payments to public bodies
        <select name="include">
          <option value="" selected={!p.include.includes('public_body')}>No (left out)</option>
          <option value="public_body" selected={p.include.includes('public_body')}>Yes</option>
        </select>
      </label>
      <input type="hidden" name="format" value="html" />
      <button type="submit">Show report</button>
    </form>
  );
}

export function SpendReportPage(props: { report: SpendReport; params: ReportPageParams; path: string }) {
  const r = props.report;
  const p = props.params;
  const names = r.buyers.map((b) => b.name).join(', ') || r.place?.name || 'no buyer';
  const headline = r.headline_level;
  const headlineName = LEVEL_NAMES[headline];
  const points = r.by_quarter.map((q) => ({ label: q.label, share: (q.local_share as Record<string, Share | null>)[headline]?.share ?? null }));
  const noun = r.view === 'awards' ? 'contracted value' : 'spend';
  return (
    <Layout title={`Spend report: ${names}`} section="councils">
      <h1>{r.view === 'awards' ? 'Awards report' : 'Spend report'}: {names}</h1>
      <p class="lede">
        {r.period.from ? `${r.period.from} to ${r.period.to}` : 'No spend in this period'}. Of the {noun} a council can influence, the share that went to
        suppliers in its own area, its wider area, its region and the UK; to SMEs and to VCSEs; and where it went to suppliers from outside although
        registered local firms could do the work. Every share says what it is a share of.
      </p>
      <Filters params={p} path={props.path} />
      <p>
        <a class="button" href={`${props.path}?${query(p, { format: 'csv' })}`} download>
          Download the rows as CSV
        </a>{' '}
        <a href={`${props.path}?${query(p, { format: 'json' })}`}>JSON</a>
      </p>

      <h2>Headline</h2>
      <ul class="figures">
        <li>
          <span class="what">Total {noun}</span>
          <span class="value">{money(r.total)}</span>
          <span class="of">{r.payments.toLocaleString('en-GB')} {r.view === 'awards' ? 'award suppliers' : 'payments'}</span>
        </li>
        <li>
          <span class="what">Influenceable</span>
          <span class="value">{money(r.influenceable)}</span>
          <span class="of">total less {money(r.excluded.total)} of payroll, tax and public bodies (shown below)</span>
        </li>
        <ShareFigure what={`Local: own area${r.local_share.own_area.area ? ` (${r.local_share.own_area.area})` : ''}`} share={r.local_share.own_area} />
        <ShareFigure what={`Local: wider area${r.local_share.named_place?.area ? ` (${r.local_share.named_place.area})` : ''}`} share={r.local_share.named_place} />
        <ShareFigure what={`Local: region${r.local_share.itl1.area ? ` (${r.local_share.itl1.area})` : ''}`} share={r.local_share.itl1} />
        <ShareFigure what="UK" share={r.local_share.uk} />
        <ShareFigure what="SMEs" share={r.sme_share} />
        <ShareFigure what="VCSEs" share={r.vcse_share} />
        <li>
          <span class="what">Unresolved</span>
          <span class="value">{pct(r.unresolved_share.share)}</span>
          <span class="of">
            {money(r.unresolved)} of {money(r.influenceable)} influenceable {noun} went to payees not matched to a known supplier
            {r.unresolved_individuals ? ` (${money(r.unresolved_individuals)} of it to individuals whose names are withheld)` : ''}; it is counted
            neither local nor non-local.
          </span>
        </li>
      </ul>

      <h2 id="by-quarter">Local share by quarter ({headlineName})</h2>
      <ShareChart
        id="local-share-chart"
        title={`Local share (${headlineName}) by financial quarter`}
        description={points.map((pt) => `${pt.label}: ${pct(pt.share)}`).join('; ')}
        points={points}
      />
      <table>
        <caption>Figures by financial quarter</caption>
        <thead>
          <tr>
            <th scope="col">Quarter</th>
            <th scope="col">Months</th>
            <th scope="col" class="num">Total</th>
            <th scope="col" class="num">Influenceable</th>
            <th scope="col" class="num">Local ({headlineName})</th>
            <th scope="col" class="num">SME</th>
            <th scope="col" class="num">Unresolved</th>
          </tr>
        </thead>
        <tbody>
          {r.by_quarter.map((q) => (
            <tr>
              <th scope="row">{q.label}</th>
              <td>{q.months}</td>
              <td class="num">{money(q.total)}</td>
              <td class="num">{money(q.influenceable)}</td>
              <td class="num">{pct((q.local_share as Record<string, Share | null>)[headline]?.share)}</td>
              <td class="num">{pct(q.sme_share)}</td>
              <td class="num">{pct(q.unresolved_share)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="leakage">Spend leaving the area that local firms could take</h2>
      <p>
        {money(r.leakage.addressable)} of the {money(r.leakage.outside)} that went to suppliers outside {r.leakage.area ?? 'the area'} was in categories
        where at least one registered supplier based there can do the work ({pct(r.leakage.share_of_outside)}).
      </p>
      {r.leakage.suppliers.length ? (
        <table>
          <caption>Top suppliers from outside the area, with local alternatives</caption>
          <thead>
            <tr>
              <th scope="col">Supplier</th>
              <th scope="col">Based</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col">Categories</th>
              <th scope="col">Local firms that could do it</th>
            </tr>
          </thead>
          <tbody>
            {r.leakage.suppliers.map((s) => (
              <tr>
                <th scope="row">{s.supplier}</th>
                <td>{s.place?.lad ?? s.place?.itl3 ?? s.place?.itl1 ?? 'not known'}</td>
                <td class="num">{money(s.leaking)}</td>
                <td>
                  {s.categories.map((c) => (
                    <div>
                      {c.label}: {money(c.amount)} (<a href={c.search_url}>find local suppliers</a>)
                    </div>
                  ))}
                </td>
                <td>{s.local_alternatives.map((a) => a.name).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="note">No spend with suppliers outside the area fell in a category where a registered local supplier can do the work.</p>
      )}

      <h2 id="categories">By category</h2>
      <table>
        <caption>Influenceable {noun} by CPV division</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" class="num">Influenceable</th>
            <th scope="col" class="num">Local ({headlineName})</th>
            <th scope="col" class="num">Unresolved</th>
            <th scope="col" class="num">Leaving, local firms exist</th>
          </tr>
        </thead>
        <tbody>
          {r.by_category.map((c) => (
            <tr>
              <th scope="row">
                {c.category ? `${c.category.slice(0, 2)} ` : ''}
                {c.label}
              </th>
              <td class="num">{money(c.influenceable)}</td>
              <td class="num">{pct(c.local_share.share)}</td>
              <td class="num">{pct(c.unresolved_share)}</td>
              <td class="num">{money(c.leakage)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="suppliers">Top suppliers</h2>
      <table>
        <caption>Largest suppliers of influenceable {noun}</caption>
        <thead>
          <tr>
            <th scope="col">Supplier</th>
            <th scope="col">Found by</th>
            <th scope="col">Based</th>
            <th scope="col" class="num">Amount</th>
            <th scope="col">Local ({headlineName})</th>
            <th scope="col">SME</th>
          </tr>
        </thead>
        <tbody>
          {r.top_suppliers.map((s) => (
            <tr>
              <th scope="row">{s.supplier}</th>
              <td>
                {s.source} ({s.method}
                {s.confidence < 1 ? `, ${Math.round(s.confidence * 100)}%` : ''})
              </td>
              <td>{s.postcode ?? s.place?.itl1 ?? 'not known'}</td>
              <td class="num">{money(s.amount)}</td>
              <td>{s.local[headline] === true ? <span class="tag-local">yes</span> : s.local[headline] === false ? <span class="tag-out">no</span> : 'not known'}</td>
              <td>{s.sme === null ? 'not known' : s.sme ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="excluded">Left out of influenceable spend</h2>
      <table>
        <caption>Shown here, never dropped</caption>
        <tbody>
          <tr>
            <th scope="row">Payroll (pension funds, salaries, PAYE, national insurance)</th>
            <td class="num">{money(r.excluded.payroll)}</td>
          </tr>
          <tr>
            <th scope="row">Tax (HMRC)</th>
            <td class="num">{money(r.excluded.tax)}</td>
          </tr>
          <tr>
            <th scope="row">Other public bodies (councils, NHS, police, schools…)</th>
            <td class="num">{money(r.excluded.public_body)}</td>
          </tr>
        </tbody>
      </table>
      <p class="note">
        Payments to public bodies are counted when the report is asked to (“Count payments to public bodies”); they then add{' '}
        {money(r.excluded.public_body || r.excluded.included_although_excludable.public_body)} to influenceable {noun}.
      </p>
    </Layout>
  );
}

export function ReportErrorPage(props: { message: string; params: ReportPageParams; path: string; status: number }) {
  return (
    <Layout title="Spend report" section="councils">
      <h1>Spend report</h1>
      <div class="error" role="alert">
        <p>{props.message}</p>
      </div>
      <Filters params={props.params} path={props.path} />
    </Layout>
  );
}
