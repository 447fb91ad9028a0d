/** @jsxImportSource hono/jsx */
import type { TenderBidders } from '../who-could-bid.js';
import { Button, Checkboxes, day, ErrorSummary, money, Paging, Select, TextField, type FieldError } from './components.js';
import { Layout, type LayoutProps } from './layout.js';

/**
 * Find tenders (words, capability, place, value, open only, SME-suitable; paged) and a tender's page: its lots,
 * places, capability tags with their source, deadline, buyer, awards and the public notice, then for officers who
 * could bid (local first, with reasons) and the consortia proposed for each lot. Every text from a notice goes
 * through JSX, which escapes it.
 */
type Chrome = Pick<LayoutProps, 'signedIn'>;

export interface TenderSearchForm {
  q: string;
  cpv: string;
  region: string;
  value_min: string;
  value_max: string;
  open: boolean;
  sme: boolean;
}

export interface ListedTenderView {
  ocid: string;
  title: string | null;
  buyer: string | null;
  value: number | null;
  deadline: string | null;
  status: string | null;
  published: string | null;
  capabilities: Array<{ code: string; label: string | null }>;
  sme: boolean | null;
  match?: string;
}

export function FindTendersPage(props: Chrome & {
  form: TenderSearchForm;
  divisions: Array<[string, string]>;
  errors: FieldError[];
  place: string | null;
  tenders: ListedTenderView[] | null;
  next: string | null;
  first: string | null;
}) {
  const f = props.form;
  return (
    <Layout title="Find tenders" section="tenders" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Find tenders</h1>
      <ErrorSummary errors={props.errors} />
      <div class="layout-search">
        <form method="get" action="/find/tenders" class="facets" role="search" aria-label="Tenders">
          <TextField name="q" label="Words" value={f.q} hint="In the title or description, for example: grounds maintenance" errors={props.errors} />
          <Select name="cpv" label="What the work is" value={f.cpv} options={[['', 'Any kind of work'], ...props.divisions]} errors={props.errors} />
          <TextField name="region" label="Place" value={f.region} hint="A council, region, postcode area code or named place, for example: Birmingham, TLG31 or West Midlands" errors={props.errors} />
          <TextField name="value_min" label="Value at least (£)" value={f.value_min} inputmode="numeric" width="10" errors={props.errors} />
          <TextField name="value_max" label="Value at most (£)" value={f.value_max} inputmode="numeric" width="10" errors={props.errors} />
          <Checkboxes
            name="only"
            legend="Only"
            small
            items={[
              { value: 'open', label: 'Still open for bids', checked: f.open },
              { value: 'sme', label: 'Suitable for small firms (SMEs)', checked: f.sme },
            ]}
          />
          <Button>Search</Button>
        </form>
        <div>
          {props.tenders === null ? null : props.tenders.length === 0 ? (
            <p class="govuk-body">No tenders match. Try fewer words, a wider place, or any kind of work.</p>
          ) : (
            <>
              <p class="govuk-body" role="status">
                {props.place ? `Tenders delivered in or around ${props.place}, newest first.` : 'Tenders, newest first.'}
              </p>
              <ul class="results">
                {props.tenders.map((t) => (
                  <li>
                    <h2 class="govuk-heading-s">
                      <a class="govuk-link" href={`/tender/${encodeURIComponent(t.ocid)}`}>
                        {t.title ?? t.ocid}
                      </a>
                    </h2>
                    <p class="meta">
                      {t.buyer ?? 'Buyer not stated'} · {money(t.value)} · closes {day(t.deadline)}
                      {t.status ? ` · ${t.status}` : ''}
                      {t.sme ? ' · suitable for SMEs' : ''}
                      {t.match ? ` · ${t.match === 'inside' ? 'in the place' : 'wider area'}` : ''}
                    </p>
                    {t.capabilities.length ? <p class="meta">{t.capabilities.map((c) => `${c.code} ${c.label ?? ''}`.trim()).join('; ')}</p> : null}
                  </li>
                ))}
              </ul>
              <Paging label="Tender results" previous={props.first} next={props.next} />
            </>
          )}
        </div>
      </div>
    </Layout>
  );
}

export interface TenderView {
  ocid: string;
  title: string | null;
  description: string | null;
  buyer: string | null;
  buyerPostcode: string | null;
  value: number | null;
  deadline: string | null;
  published: string | null;
  status: string | null;
  noticeType: string | null;
  url: string | null;
  sme: boolean | null;
  vcse: boolean | null;
  lots: Array<{ id: string; title: string | null; description: string | null; value: number | null; status: string | null; places: string[] }>;
  places: Array<{ lot: string; role: string; code: string; name: string | null; lad: string | null }>;
  capabilities: Array<{ lot: string; code: string; label: string | null; method: string; confidence: number }>;
  awards: Array<{ id: string; date: string | null; value: number | null; status: string | null; suppliers: Array<{ name: string | null; postcode: string | null; scale: string | null }> }>;
  alsoPublishedOn: Array<{ ocid: string; source: string }>;
}

const lotsLink = (ocid: string, from: number, hp: string) => `/tender/${encodeURIComponent(ocid)}?lots_from=${from}${hp ? `&high_potential=${hp}` : ''}#who-could-bid`;

const lotName = (lots: TenderView['lots'], id: string) => (id === '' ? 'Whole tender' : `Lot ${id}${lots.find((l) => l.id === id)?.title ? `: ${lots.find((l) => l.id === id)!.title}` : ''}`);

export function TenderPage(props: Chrome & { tender: TenderView; bidders: TenderBidders | null; highPotential: '' | 'true' | 'false' }) {
  const t = props.tender;
  const b = props.bidders;
  return (
    <Layout title={t.title ?? t.ocid} section="tenders" signedIn={props.signedIn}>
      <span class="govuk-caption-m">{t.buyer ?? 'Buyer not stated'}</span>
      <h1 class="govuk-heading-l">{t.title ?? t.ocid}</h1>
      <dl class="govuk-summary-list">
        {(
          [
            ['Buyer', `${t.buyer ?? 'not stated'}${t.buyerPostcode ? ` (${t.buyerPostcode})` : ''}`],
            ['Value', money(t.value)],
            ['Deadline for bids', day(t.deadline)],
            ['Published', day(t.published)],
            ['Status', t.status ?? 'not stated'],
            ['Suitable for', [t.sme ? 'SMEs' : null, t.vcse ? 'VCSEs' : null].filter(Boolean).join(', ') || 'not stated'],
            ['Reference', t.ocid],
          ] as Array<[string, string]>
        ).map(([k, v]) => (
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{k}</dt>
            <dd class="govuk-summary-list__value">{v}</dd>
          </div>
        ))}
      </dl>
      {t.url ? (
        <p class="govuk-body">
          <a class="govuk-link" href={t.url} rel="external noopener">
            Read the public notice<span class="govuk-visually-hidden"> for {t.title ?? t.ocid}</span>
          </a>{' '}
          (on the publisher's site)
        </p>
      ) : null}
      {t.alsoPublishedOn.length ? <p class="govuk-body">Also published as {t.alsoPublishedOn.map((o) => `${o.ocid} (${o.source})`).join(', ')}.</p> : null}
      {t.description ? (
        <>
          <h2 class="govuk-heading-m">Description</h2>
          <p class="govuk-body notice-text">{t.description}</p>
        </>
      ) : null}

      {t.lots.length ? (
        <>
          <h2 class="govuk-heading-m">Lots</h2>
          <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">Lots of this tender</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Lot</th>
                <th scope="col" class="govuk-table__header">Title</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th>
                <th scope="col" class="govuk-table__header">Status</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {t.lots.map((l) => (
                <tr class="govuk-table__row">
                  <th scope="row" class="govuk-table__header">{l.id}</th>
                  <td class="govuk-table__cell">{l.title ?? ''}</td>
                  <td class="govuk-table__cell govuk-table__cell--numeric">{money(l.value)}</td>
                  <td class="govuk-table__cell">{l.status ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      <h2 class="govuk-heading-m">Places</h2>
      {t.places.length ? (
        <ul class="govuk-list govuk-list--bullet">
          {t.places.map((p) => (
            <li>
              {p.name ?? p.code}
              {p.lad && p.lad !== p.name ? `, ${p.lad}` : ''} ({p.code}; {p.role}
              {p.lot ? `, lot ${p.lot}` : ''})
            </li>
          ))}
        </ul>
      ) : (
        <p class="govuk-body">No place could be read from this notice.</p>
      )}

      <h2 class="govuk-heading-m">Capabilities</h2>
      <table class="govuk-table" id="capabilities">
        <caption class="govuk-table__caption govuk-table__caption--s">CPV codes: published by the buyer, or inferred by the service from the notice's text</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Code</th>
            <th scope="col" class="govuk-table__header">What</th>
            <th scope="col" class="govuk-table__header">Source</th>
            <th scope="col" class="govuk-table__header">For</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {t.capabilities.map((c) => (
            <tr class="govuk-table__row">
              <td class="govuk-table__cell">{c.code}</td>
              <td class="govuk-table__cell">{c.label ?? ''}</td>
              <td class="govuk-table__cell">
                <strong class={`govuk-tag ${c.method === 'published' ? 'govuk-tag--blue' : 'govuk-tag--yellow'}`}>{c.method}</strong>
                {c.method === 'inferred' ? ` ${Math.round(c.confidence * 100)}%` : ''}
              </td>
              <td class="govuk-table__cell">{lotName(t.lots, c.lot)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 class="govuk-heading-m">Awards</h2>
      {t.awards.length ? (
        <ul class="govuk-list">
          {t.awards.map((a) => (
            <li>
              {day(a.date)}: {money(a.value)} to {a.suppliers.map((s) => `${s.name ?? 'a supplier'}${s.postcode ? ` (${s.postcode})` : ''}${s.scale ? `, ${s.scale}` : ''}`).join('; ') || 'suppliers not named'}
              {a.status ? ` (${a.status})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="govuk-body">No award has been published.</p>
      )}

      <h2 class="govuk-heading-m" id="who-could-bid">
        Who could bid
      </h2>
      <form method="get" action={`/tender/${encodeURIComponent(t.ocid)}#who-could-bid`} class="facets">
        <Select
          name="high_potential"
          label="Registered suppliers"
          value={props.highPotential}
          options={[
            ['', 'All'],
            ['true', 'High-potential firms only'],
            ['false', 'Other firms only'],
          ]}
        />
        <Button secondary>Show</Button>
      </form>
      {!b ? (
        <p class="govuk-body">This tender cannot be matched.</p>
      ) : (
        b.lots.map((lot) => (
          <section aria-labelledby={`bidders-${lot.lotId || 'whole'}`}>
            <h3 class="govuk-heading-s" id={`bidders-${lot.lotId || 'whole'}`}>
              {lotName(t.lots, lot.lotId)}: {lot.closed ? 'closed' : `${lot.total} supplier${lot.total === 1 ? '' : 's'} could bid`}
            </h3>
            {lot.closed ? <p class="govuk-body">{lot.closed}</p> : null}
            <ol class="results bidders">
              {lot.bidders.map((s) => (
                <li>
                  <a class="govuk-link" href={`/supplier/${encodeURIComponent(s.supplierId)}`}>
                    {s.name}
                  </a>{' '}
                  <span class="meta">
                    ({s.kind}, {s.local}
                    {s.highPotential ? ', high potential' : ''}; score {Math.round(s.score * 100)})
                  </span>
                  <ul class="reasons">
                    {s.reasons.map((r) => (
                      <li>{r}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
            {lot.total > lot.bidders.length ? (
              <p class="govuk-body-s">
                Showing {lot.bidders.length} of {lot.total}.{' '}
                <a class="govuk-link" href={`/tenders/${encodeURIComponent(t.ocid)}/suppliers?lot=${encodeURIComponent(lot.lotId)}&limit=100`}>
                  All of them as JSON
                </a>
              </p>
            ) : null}
          </section>
        ))
      )}

      {b && b.totalLots > b.lots.length ? (
        <Paging
          label="Lots"
          previous={b.from > 0 ? lotsLink(t.ocid, Math.max(0, b.from - b.lots.length), props.highPotential) : null}
          next={b.from + b.lots.length < b.totalLots ? lotsLink(t.ocid, b.from + b.lots.length, props.highPotential) : null}
        />
      ) : null}
      {b && b.totalLots > b.lots.length ? (
        <p class="govuk-body-s">
          Lots {b.from + 1} to {b.from + b.lots.length} of {b.totalLots}.
        </p>
      ) : null}

      {b && b.consortia.some((p) => p.groups.length || p.soloSuppliers.length) ? (
        <>
          <h2 class="govuk-heading-m" id="consortia">
            Consortia that could bid together
          </h2>
          {b.consortia.map((p) => (
            <section>
              <h3 class="govuk-heading-s">{lotName(t.lots, p.lotId)}</h3>
              {!p.needed ? <p class="govuk-body">No consortium is needed: {p.soloSuppliers.length ? `${p.soloSuppliers.join(', ')} can take it on alone` : 'no single supplier was found'}.</p> : null}
              {p.why.map((w) => (
                <p class="govuk-body-s">{w}</p>
              ))}
              <ul class="govuk-list">
                {p.groups.map((g) => (
                  <li>
                    <strong>{g.kind === 'cooperative' ? `${g.cooperativeName} (registered cooperative)` : 'Proposed group'}</strong>: {g.members.map((m) => `${m.name}${m.local ? ' (local)' : ''}`).join(', ')}
                    {g.capacity !== null ? `; together up to ${money(g.capacity)}` : ''}
                    <ul class="reasons">
                      {g.reasons.map((r) => (
                        <li>{r}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      ) : null}
    </Layout>
  );
}
