/** @jsxImportSource hono/jsx */
import { Button, Csrf, day, ErrorSummary, TextField, type FieldError } from './components.js';
import { Layout, type LayoutProps } from './layout.js';

/**
 * The start page (a way in for each kind of user), the data and licence page, the councils' way to their spend
 * reports, and the operator's pages: feed health and named places.
 */
type Chrome = Pick<LayoutProps, 'signedIn'>;

export function HomePage(props: Chrome & { tenders: number; suppliers: number }) {
  return (
    <Layout title="Public tenders for local firms" section="home" signedIn={props.signedIn}>
      <h1 class="govuk-heading-xl">Public tenders for local firms</h1>
      <p class="govuk-body-l">
        tendermatch reads the UK's public tender notices, says where and what each one is, and matches it with registered small firms and cooperatives
        nearby, with the reasons.
      </p>
      <p class="govuk-body">
        {props.tenders.toLocaleString('en-GB')} tenders and {props.suppliers.toLocaleString('en-GB')} registered suppliers.
      </p>
      <ul class="cards">
        <li>
          <h2 class="govuk-heading-m">Small firms and cooperatives</h2>
          <p class="govuk-body">Register in your own words, see the tenders you could win and choose your email alerts.</p>
          <ul class="govuk-list">
            <li>
              <a class="govuk-link" href="/register">
                Register your firm
              </a>
            </li>
            <li>
              <a class="govuk-link" href="/sign-in">
                Sign in
              </a>
            </li>
            <li>
              <a class="govuk-link" href="/find/tenders">
                Find tenders
              </a>
            </li>
          </ul>
        </li>
        <li>
          <h2 class="govuk-heading-m">Procurement officers</h2>
          <p class="govuk-body">Find local suppliers by what they do and where, and see who could bid for a tender, alone or together.</p>
          <ul class="govuk-list">
            <li>
              <a class="govuk-link" href="/find/suppliers">
                Find suppliers
              </a>
            </li>
            <li>
              <a class="govuk-link" href="/find/tenders">
                Find a tender and who could bid
              </a>
            </li>
          </ul>
        </li>
        <li>
          <h2 class="govuk-heading-m">Councils</h2>
          <p class="govuk-body">How much of your spend stays local, goes to SMEs and VCSEs, and where it leaves although local firms could do the work.</p>
          <ul class="govuk-list">
            <li>
              <a class="govuk-link" href="/councils">
                Spend reports
              </a>
            </li>
          </ul>
        </li>
        <li>
          <h2 class="govuk-heading-m">Running the service</h2>
          <p class="govuk-body">Each feed's last run and errors, and the places people can search by name.</p>
          <ul class="govuk-list">
            <li>
              <a class="govuk-link" href="/operator/feeds">
                Feed health
              </a>
            </li>
            <li>
              <a class="govuk-link" href="/operator/places">
                Named places
              </a>
            </li>
          </ul>
        </li>
      </ul>
    </Layout>
  );
}

export function DataPage(props: Chrome & { feeds: Array<{ name: string; docs: string }>; councils: string[] }) {
  return (
    <Layout title="Data, licences and publishers" section="data" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Data, licences and publishers</h1>
      <p class="govuk-body">
        Tender notices and council spend data are public sector information licensed under the{' '}
        <a class="govuk-link" href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" rel="license external">
          Open Government Licence v3.0
        </a>
        . Notice text is shown as published; we add places and capability codes, marked as inferred.
      </p>
      <h2 class="govuk-heading-m">Tender notices</h2>
      <ul class="govuk-list govuk-list--bullet">
        {props.feeds.map((f) => (
          <li>
            {f.name} (
            <a class="govuk-link" href={f.docs} rel="external">
              how it publishes
            </a>
            ), Crown copyright, OGL v3.0
          </li>
        ))}
      </ul>
      <h2 class="govuk-heading-m">Council spend</h2>
      {props.councils.length ? (
        <ul class="govuk-list govuk-list--bullet">
          {props.councils.map((name) => (
            <li>{name}: transparency spend files, OGL v3.0</li>
          ))}
        </ul>
      ) : (
        <p class="govuk-body">No council's spend has been loaded yet.</p>
      )}
      <h2 class="govuk-heading-m">Reference data</h2>
      <ul class="govuk-list govuk-list--bullet">
        <li>Common Procurement Vocabulary (CPV 2008), European Union</li>
        <li>ITL 2021 and local authority areas, Office for National Statistics, OGL v3.0</li>
        <li>Postcode areas: OS Code-Point Open and ONS Postcode Directory, OGL v3.0 (contains OS data © Crown copyright and database right)</li>
      </ul>
      <h2 class="govuk-heading-m">This service</h2>
      <p class="govuk-body">The software is open source under the MIT licence. Its pages use styles from GOV.UK Frontend (MIT), without the GOV.UK crown and typeface.</p>
    </Layout>
  );
}

export function CouncilsPage(props: Chrome & { buyers: Array<{ name: string; area: string | null }> }) {
  return (
    <Layout title="Council spend reports" section="councils" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Council spend reports</h1>
      <p class="govuk-body">For each council whose spend has been loaded: how much stays local, goes to SMEs and VCSEs, by quarter and category, and where it leaves although local firms could do the work.</p>
      {props.buyers.length ? (
        <ul class="govuk-list">
          {props.buyers.map((b) => (
            <li>
              <a class="govuk-link" href={`/reports/spend?buyer=${encodeURIComponent(b.name)}&format=html`}>
                {b.name}
              </a>
              {b.area ? ` (${b.area})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="govuk-body">No council's spend has been loaded yet.</p>
      )}
      <form method="get" action="/reports/spend" class="facets">
        <TextField name="place" label="Or a report for every council in a place" hint="For example: West Midlands Combined Authority" />
        <input type="hidden" name="format" value="html" />
        <Button secondary>Show report</Button>
      </form>
    </Layout>
  );
}

export interface FeedView {
  id: string;
  name: string;
  docs: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: string | null;
  error: string | null;
  watermark: string | null;
  counts: { fetched: number; new: number; updated: number; unchanged: number; quarantined: number };
  lease: string | null;
}

const when = (iso: string | null) => (iso ? `${day(iso)} ${iso.slice(11, 16)} UTC` : 'never');

export function FeedsPage(props: Chrome & { feeds: FeedView[]; files: FeedView[] }) {
  const table = (caption: string, rows: FeedView[]) => (
    <table class="govuk-table">
      <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          <th scope="col" class="govuk-table__header">Source</th>
          <th scope="col" class="govuk-table__header">Last run</th>
          <th scope="col" class="govuk-table__header">Watermark</th>
          <th scope="col" class="govuk-table__header govuk-table__header--numeric">Fetched</th>
          <th scope="col" class="govuk-table__header govuk-table__header--numeric">New</th>
          <th scope="col" class="govuk-table__header govuk-table__header--numeric">Updated</th>
          <th scope="col" class="govuk-table__header govuk-table__header--numeric">Quarantined</th>
          <th scope="col" class="govuk-table__header">Last error</th>
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        {rows.map((f) => (
          <tr class="govuk-table__row">
            <th scope="row" class="govuk-table__header">
              {f.name}
              {f.lease ? <div class="govuk-body-s">running now ({f.lease})</div> : null}
            </th>
            <td class="govuk-table__cell">
              {when(f.finishedAt ?? f.startedAt)}
              {f.status ? (
                <>
                  {' '}
                  <strong class={`govuk-tag ${f.status === 'ok' ? 'govuk-tag--green' : 'govuk-tag--red'}`}>{f.status}</strong>
                </>
              ) : null}
            </td>
            <td class="govuk-table__cell">{f.watermark ?? 'none'}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{f.counts.fetched.toLocaleString('en-GB')}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{f.counts.new.toLocaleString('en-GB')}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{f.counts.updated.toLocaleString('en-GB')}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{f.counts.quarantined.toLocaleString('en-GB')}</td>
            <td class="govuk-table__cell">{f.error ?? 'none'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Layout title="Feed health" section="operator" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Feed health</h1>
      <p class="govuk-body">
        Each feed's last run, how far it has read (watermark), what it found in all runs, and its last error.{' '}
        <a class="govuk-link" href="/operator/places">
          Named places
        </a>
      </p>
      {table('Feeds', props.feeds)}
      {props.files.length ? table('Files loaded from the command line', props.files) : null}
    </Layout>
  );
}

export function OperatorSignInPage(props: Chrome & { csrf: string; errors: FieldError[] }) {
  return (
    <Layout title="Operator sign in" section="operator" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Operator sign in</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/operator/sign-in" novalidate>
        <Csrf token={props.csrf} />
        <TextField name="key" label="Administrator key" type="password" errors={props.errors} autocomplete="current-password" spellcheck={false} />
        <Button>Sign in</Button>
      </form>
    </Layout>
  );
}

export function PlacesPage(props: Chrome & {
  csrf: string;
  places: Array<{ name: string; description: string | null; codes: Array<{ code: string; name: string | null }> }>;
  errors: FieldError[];
  form: { name: string; codes: string; description: string };
  saved: string | null;
}) {
  return (
    <Layout title="Named places" section="operator" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Named places</h1>
      <p class="govuk-body">A named place is a set of areas that every place search accepts by its name, such as a combined authority's councils.</p>
      {props.saved ? (
        <p class="govuk-inset-text" role="status">
          Saved {props.saved}.
        </p>
      ) : null}
      {props.places.length ? (
        <table class="govuk-table">
          <caption class="govuk-table__caption govuk-table__caption--m">Places</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Name</th>
              <th scope="col" class="govuk-table__header">Areas</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {props.places.map((p) => (
              <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header">
                  {p.name}
                  {p.description ? <div class="govuk-body-s">{p.description}</div> : null}
                </th>
                <td class="govuk-table__cell">{p.codes.map((c) => `${c.name ?? c.code} (${c.code})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="govuk-body">No place has been named yet.</p>
      )}
      <h2 class="govuk-heading-m">Name a place</h2>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/operator/places" novalidate>
        <Csrf token={props.csrf} />
        <TextField name="name" label="Name" value={props.form.name} errors={props.errors} />
        <TextField name="codes" label="Areas" hint="ITL or NUTS codes separated by commas, for example: TLG31, TLG32" value={props.form.codes} errors={props.errors} />
        <TextField name="description" label="Description (optional)" value={props.form.description} errors={props.errors} />
        <Button>Save place</Button>
      </form>
    </Layout>
  );
}
