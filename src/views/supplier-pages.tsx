/** @jsxImportSource hono/jsx */
import { Button, Checkboxes, ErrorSummary, money, Paging, Select, TextField, type FieldError } from './components.js';
import { Layout, type LayoutProps } from './layout.js';

/**
 * For officers: find registered suppliers by words (typos tolerated), capability, place, size or kind,
 * certification, capacity and the high-potential flag, with a count beside each choice; and a supplier's profile.
 */
type Chrome = Pick<LayoutProps, 'signedIn'>;

export interface SupplierSearchForm {
  q: string;
  cpv: string;
  region: string;
  kind: string;
  certification: string;
  min_value: string;
  high_potential: boolean;
}

export interface ListedSupplierView {
  id: string;
  name: string;
  kind: string;
  base: string | null;
  capabilities: string[];
  description: string | null;
  highPotential: boolean;
  match?: string;
}

export const KIND_NAMES: Record<string, string> = {
  micro: 'Micro firm (under 10 staff)',
  small: 'Small firm',
  medium: 'Medium-sized firm',
  vcse: 'Charity or social enterprise (VCSE)',
  cooperative: 'Cooperative of firms',
};

export function FindSuppliersPage(props: Chrome & {
  form: SupplierSearchForm;
  divisions: Array<[string, string]>;
  errors: FieldError[];
  kindCounts: Array<{ kind: string; count: number }>;
  highPotentialCount: number | null;
  total: number | null;
  suppliers: ListedSupplierView[];
  next: string | null;
  first: string | null;
}) {
  const f = props.form;
  return (
    <Layout title="Find suppliers" section="suppliers" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Find suppliers</h1>
      <p class="govuk-body">Registered firms and cooperatives, for procurement officers looking for who could bid. Misspelt words still find what you meant.</p>
      <ErrorSummary errors={props.errors} />
      <div class="layout-search">
        <form method="get" action="/find/suppliers" class="facets" role="search" aria-label="Suppliers">
          <TextField name="q" label="Words" value={f.q} hint="What the firm does or its name, for example: joinery" errors={props.errors} spellcheck={false} />
          <Select name="cpv" label="Capability" value={f.cpv} options={[['', 'Any capability'], ...props.divisions]} errors={props.errors} />
          <TextField name="region" label="Place" value={f.region} hint="Where the firm is based or works: a council, region or code" errors={props.errors} />
          <div class="govuk-form-group">
            <fieldset class="govuk-fieldset" id="kind">
              <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Size or kind</legend>
              <div class="govuk-radios govuk-radios--small">
                <div class="govuk-radios__item">
                  <input class="govuk-radios__input" id="kind-any" name="kind" type="radio" value="" checked={f.kind === ''} />
                  <label class="govuk-label govuk-radios__label" for="kind-any">
                    Any
                  </label>
                </div>
                {props.kindCounts.map((k) => (
                  <div class="govuk-radios__item">
                    <input class="govuk-radios__input" id={`kind-${k.kind}`} name="kind" type="radio" value={k.kind} checked={f.kind === k.kind} />
                    <label class="govuk-label govuk-radios__label" for={`kind-${k.kind}`}>
                      {KIND_NAMES[k.kind] ?? k.kind} <span class="facet-count">({k.count})</span>
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <TextField name="certification" label="Certification" value={f.certification} hint="For example: ISO 9001, Cyber Essentials" errors={props.errors} />
          <TextField name="min_value" label="Can take a contract of at least (£)" value={f.min_value} inputmode="numeric" width="10" errors={props.errors} />
          <Checkboxes
            name="high_potential"
            legend="Growth"
            small
            items={[{ value: 'true', label: `High-potential firms only${props.highPotentialCount === null ? '' : ` (${props.highPotentialCount})`}`, checked: f.high_potential }]}
          />
          <Button>Search</Button>
        </form>
        <div>
          {props.total === null ? null : (
            <p class="govuk-body" role="status">
              {props.total === 0 ? 'No supplier matches. Try fewer words or a wider place.' : `${props.total} supplier${props.total === 1 ? '' : 's'} found.`}
            </p>
          )}
          <ul class="results">
            {props.suppliers.map((s) => (
              <li>
                <h2 class="govuk-heading-s">
                  <a class="govuk-link" href={`/supplier/${encodeURIComponent(s.id)}`}>
                    {s.name}
                  </a>
                  {s.highPotential ? (
                    <>
                      {' '}
                      <strong class="govuk-tag govuk-tag--green">High potential</strong>
                    </>
                  ) : null}
                </h2>
                <p class="meta">
                  {KIND_NAMES[s.kind] ?? s.kind}
                  {s.base ? ` · based in ${s.base}` : ''}
                  {s.match ? ` · ${s.match === 'inside' ? 'in the place' : 'works in the wider area'}` : ''}
                </p>
                {s.capabilities.length ? <p class="meta">{s.capabilities.join('; ')}</p> : null}
                {s.description ? <p class="govuk-body-s">{s.description.length > 240 ? `${s.description.slice(0, 240)}…` : s.description}</p> : null}
              </li>
            ))}
          </ul>
          <Paging label="Supplier results" previous={props.first} next={props.next} />
        </div>
      </div>
    </Layout>
  );
}

export interface SupplierProfileView {
  id: string;
  name: string;
  kind: string;
  postcode: string | null;
  base: string | null;
  serves: string[];
  national: boolean;
  capabilities: Array<{ code: string; label: string | null }>;
  description: string | null;
  keywords: string[];
  maxContractValue: number | null;
  turnoverBand: string | null;
  staffBand: string | null;
  certifications: string[];
  highPotential: boolean;
  members: Array<{ id: string; name: string }>;
  memberOf: Array<{ id: string; name: string }>;
}

export function SupplierProfilePage(props: Chrome & { supplier: SupplierProfileView }) {
  const s = props.supplier;
  const rows: Array<[string, string]> = [
    ['Size or kind', KIND_NAMES[s.kind] ?? s.kind],
    ['Based in', [s.postcode, s.base].filter(Boolean).join(', ') || 'not stated'],
    ['Works in', s.national ? 'the whole UK' : s.serves.join(', ') || 'its own area'],
    ['Largest contract it can take alone', money(s.maxContractValue)],
    ['Turnover', s.turnoverBand ?? 'not stated'],
    ['Staff', s.staffBand ?? 'not stated'],
    ['Certifications', s.certifications.join(', ') || 'none stated'],
    ['High potential', s.highPotential ? 'yes (fast-growing firm)' : 'no'],
  ];
  return (
    <Layout title={s.name} section="suppliers" signedIn={props.signedIn}>
      <span class="govuk-caption-m">Registered supplier</span>
      <h1 class="govuk-heading-l">{s.name}</h1>
      {s.description ? <p class="govuk-body-l notice-text">{s.description}</p> : null}
      <dl class="govuk-summary-list">
        {rows.map(([k, v]) => (
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{k}</dt>
            <dd class="govuk-summary-list__value">{v}</dd>
          </div>
        ))}
      </dl>
      <h2 class="govuk-heading-m">What it does</h2>
      <ul class="govuk-list govuk-list--bullet">
        {s.capabilities.map((c) => (
          <li>
            {c.label ?? c.code} ({c.code})
          </li>
        ))}
      </ul>
      {s.keywords.length ? <p class="govuk-body">In its own words: {s.keywords.join(', ')}</p> : null}
      {s.members.length ? (
        <>
          <h2 class="govuk-heading-m">Members</h2>
          <ul class="govuk-list">
            {s.members.map((m) => (
              <li>
                <a class="govuk-link" href={`/supplier/${encodeURIComponent(m.id)}`}>
                  {m.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {s.memberOf.length ? (
        <p class="govuk-body">
          Member of{' '}
          {s.memberOf.map((m, i) => (
            <>
              {i ? ', ' : ''}
              <a class="govuk-link" href={`/supplier/${encodeURIComponent(m.id)}`}>
                {m.name}
              </a>
            </>
          ))}
        </p>
      ) : null}
    </Layout>
  );
}
