/** @jsxImportSource hono/jsx */
import { Button, Checkboxes, Csrf, day, ErrorSummary, money, Select, TextArea, TextField, type FieldError } from './components.js';
import { Layout, type LayoutProps } from './layout.js';
import { KIND_NAMES } from './supplier-pages.js';

/**
 * For SMEs and cooperatives: register (the service suggests CPV codes from the firm's own words, so nobody needs to
 * know them), sign in by a link sent by email, see the tenders it could win with the reasons, and choose its alerts.
 */
type Chrome = Pick<LayoutProps, 'signedIn'>;

export interface RegisterForm {
  name: string;
  kind: string;
  postcode: string;
  company_number: string;
  description: string;
  keywords: string;
  contact_email: string;
  max_contract_value: string;
  turnover_band: string;
  staff_band: string;
  certifications: string;
  cpv_codes: string[];
  cpv_other: string;
}

export function RegisterPage(props: Chrome & {
  form: RegisterForm;
  errors: FieldError[];
  suggested: Array<{ code: string; label: string | null; confidence: number }>;
  csrf: string;
  turnoverBands: readonly string[];
  staffBands: readonly string[];
}) {
  const f = props.form;
  const offered = [...props.suggested.map((s) => s.code), ...f.cpv_codes.filter((c) => !props.suggested.some((s) => s.code === c))];
  return (
    <Layout title="Register your firm" section="account" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Register your firm</h1>
      <p class="govuk-body">
        Tell us what your firm does in your own words. We suggest the codes buyers use for that work, you pick the right ones, and we email you the public
        tenders you could win, with the reasons.
      </p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/register" novalidate>
        <Csrf token={props.csrf} />
        <TextField name="name" label="Name of your firm" value={f.name} errors={props.errors} autocomplete="organization" />
        <Select
          name="kind"
          label="Size or kind"
          value={f.kind}
          errors={props.errors}
          options={[
            ['', 'Choose one'],
            ...Object.entries(KIND_NAMES),
          ]}
        />
        <TextField name="postcode" label="Postcode of your base" value={f.postcode} width="10" errors={props.errors} autocomplete="postal-code" />
        <TextArea
          name="description"
          label="What does your firm do?"
          hint="In your own words, for example: we cut grass, plant trees and look after parks for councils and housing associations"
          value={f.description}
          errors={props.errors}
        />
        <TextField name="keywords" label="Words for your work (optional)" hint="Separated by commas, for example: grounds maintenance, tree surgery" value={f.keywords} errors={props.errors} />
        <Button name="action" value="suggest" secondary>
          Suggest what we do
        </Button>
        {offered.length ? (
          <Checkboxes
            name="cpv_codes"
            legend="Which of these is work you do?"
            hint="Codes from the Common Procurement Vocabulary that buyers put on tenders, suggested from your words. Pick every one that fits."
            errors={props.errors}
            items={offered.map((code) => {
              const s = props.suggested.find((x) => x.code === code);
              return { value: code, label: `${s?.label ?? code}`, hint: `${code}${s ? `, ${Math.round(s.confidence * 100)}% likely from your words` : ''}`, checked: f.cpv_codes.includes(code) };
            })}
          />
        ) : (
          <p class="govuk-body" id="cpv_codes">
            Press “Suggest what we do” to see the codes that fit your description.
          </p>
        )}
        <TextField name="cpv_other" label="Other codes you know (optional)" hint="CPV codes separated by commas, for example 77310000" value={f.cpv_other} errors={props.errors} />
        <TextField name="contact_email" label="Email address" hint="Where we send your sign-in links and tender alerts" type="email" value={f.contact_email} errors={props.errors} autocomplete="email" spellcheck={false} />
        <TextField name="company_number" label="Companies House number (optional)" value={f.company_number} width="10" errors={props.errors} />
        <TextField name="max_contract_value" label="Largest contract you could take on alone, in pounds (optional)" value={f.max_contract_value} width="10" inputmode="numeric" errors={props.errors} />
        <Select name="turnover_band" label="Yearly turnover (optional)" value={f.turnover_band} errors={props.errors} options={[['', 'Not saying'], ...props.turnoverBands.map((b): [string, string] => [b, `£${b}`])]} />
        <Select name="staff_band" label="Staff (optional)" value={f.staff_band} errors={props.errors} options={[['', 'Not saying'], ...props.staffBands.map((b): [string, string] => [b, `${b} people`])]} />
        <TextField name="certifications" label="Certifications (optional)" hint="Separated by commas, for example: ISO 9001, Cyber Essentials" value={f.certifications} errors={props.errors} />
        <Button name="action" value="register">
          Register
        </Button>
      </form>
    </Layout>
  );
}

export function RegisteredPage(props: Chrome & { name: string; supplierKey: string; email: string | null }) {
  return (
    <Layout title="Your firm is registered" section="account" signedIn={props.signedIn}>
      <div class="govuk-panel govuk-panel--confirmation">
        <h1 class="govuk-panel__title">{props.name} is registered</h1>
      </div>
      <p class="govuk-body">You are signed in. We are matching your firm with open tenders now; your matches appear on your page in a minute or two.</p>
      {props.email ? <p class="govuk-body">We will email {props.email} a link to confirm it; alerts go to it once you click it. Next time, sign in with a link sent to it.</p> : null}
      <h2 class="govuk-heading-m">Your key for programs</h2>
      <p class="govuk-body">Only needed to use the service from your own software. It is shown only now.</p>
      <p class="key" id="supplier-key">
        {props.supplierKey}
      </p>
      <p class="govuk-body">
        <a class="govuk-button" href="/account">
          See your matches
        </a>
      </p>
    </Layout>
  );
}

export function SignInPage(props: Chrome & { csrf: string; email: string; errors: FieldError[] }) {
  return (
    <Layout title="Sign in" section="account" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Sign in</h1>
      <ErrorSummary errors={props.errors} />
      <p class="govuk-body">We email you a link that signs you in. It works once, for a few minutes.</p>
      <form method="post" action="/sign-in" novalidate>
        <Csrf token={props.csrf} />
        <TextField name="email" label="Your firm's email address" type="email" value={props.email} errors={props.errors} autocomplete="email" spellcheck={false} />
        <Button>Email me a sign-in link</Button>
      </form>
      <p class="govuk-body">
        Not registered yet?{' '}
        <a class="govuk-link" href="/register">
          Register your firm
        </a>
        .
      </p>
    </Layout>
  );
}

export function SignInSentPage(props: Chrome & { email: string; minutes: number }) {
  return (
    <Layout title="Check your email" section="account" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Check your email</h1>
      <p class="govuk-body" role="status">
        If {props.email} is the address of a registered firm, we have sent it a sign-in link. The link works once, within {props.minutes} minutes.
      </p>
    </Layout>
  );
}

export function SignInLinkPage(props: Chrome & { name: string; token: string; csrf: string }) {
  return (
    <Layout title="Sign in" section="account" signedIn={props.signedIn}>
      <h1 class="govuk-heading-l">Sign in as {props.name}</h1>
      <form method="post" action="/sign-in/link">
        <Csrf token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <Button>Sign in</Button>
      </form>
    </Layout>
  );
}

export interface MatchView {
  ocid: string;
  lotId: string;
  lotTitle: string | null;
  title: string | null;
  buyer: string | null;
  value: number | null;
  deadline: string | null;
  score: number;
  reasons: string[];
}

export function AccountPage(props: Chrome & { supplierId: string; name: string; pending: boolean; matches: MatchView[]; emailConfirmed: boolean; email: string | null }) {
  return (
    <Layout title={`Matches for ${props.name}`} section="account" signedIn={props.signedIn}>
      <span class="govuk-caption-m">{props.name}</span>
      <h1 class="govuk-heading-l">Tenders you could win</h1>
      <p class="govuk-body">
        <a class="govuk-link" href="/account/alerts">
          Choose your email alerts
        </a>{' '}
        ·{' '}
        <a class="govuk-link" href={`/supplier/${encodeURIComponent(props.supplierId)}`}>
          Your public profile
        </a>
      </p>
      {props.email && !props.emailConfirmed ? <p class="govuk-inset-text">We have emailed {props.email} a link to confirm it. Alerts go to it once you click that link.</p> : null}
      {props.pending ? (
        <p class="govuk-inset-text" role="status">
          We are matching your firm with the open tenders now. Reload this page in a minute.
        </p>
      ) : null}
      {!props.pending && !props.matches.length ? <p class="govuk-body">No open tender matches your firm today. We email you when one does.</p> : null}
      <ul class="results matches">
        {props.matches.map((m) => (
          <li>
            <h2 class="govuk-heading-s">
              <a class="govuk-link" href={`/tender/${encodeURIComponent(m.ocid)}`}>
                {m.title ?? m.ocid}
              </a>
              {m.lotId ? ` – lot ${m.lotId}${m.lotTitle ? `: ${m.lotTitle}` : ''}` : ''}
            </h2>
            <p class="meta">
              {m.buyer ?? 'Buyer not stated'} · {money(m.value)} · closes {day(m.deadline)} · match {Math.round(m.score * 100)}%
            </p>
            <ul class="reasons">
              {m.reasons.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export interface AlertsForm {
  frequency: string;
  hour: string;
  weekday: string;
  min_score: string;
  max_items: string;
  include_words: string;
  exclude_words: string;
  places: string;
  paused: boolean;
  subscribed: boolean;
}

export function AlertsPage(props: Chrome & { name: string; form: AlertsForm; errors: FieldError[]; csrf: string; saved: boolean; weekdays: readonly string[]; timezone: string }) {
  const f = props.form;
  return (
    <Layout title={`Alerts for ${props.name}`} section="account" signedIn={props.signedIn}>
      <span class="govuk-caption-m">{props.name}</span>
      <h1 class="govuk-heading-l">Your email alerts</h1>
      {props.saved ? (
        <p class="govuk-inset-text" role="status">
          Your choices are saved.
        </p>
      ) : null}
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/account/alerts" novalidate>
        <Csrf token={props.csrf} />
        <Select
          name="frequency"
          label="How often"
          value={f.frequency}
          errors={props.errors}
          options={[
            ['immediate', 'As soon as we find a match'],
            ['daily', 'Once a day'],
            ['weekly', 'Once a week'],
          ]}
        />
        <Select name="hour" label={`At (${props.timezone} time)`} value={f.hour} errors={props.errors} options={Array.from({ length: 24 }, (_, h): [string, string] => [String(h), `${String(h).padStart(2, '0')}:00`])} />
        <Select name="weekday" label="On (weekly alerts)" value={f.weekday} errors={props.errors} options={props.weekdays.map((d): [string, string] => [d, d[0].toUpperCase() + d.slice(1)])} />
        <TextField name="max_items" label="Most tenders in one email" value={f.max_items} width="3" inputmode="numeric" errors={props.errors} />
        <TextField name="min_score" label="Only matches of at least this much (0 to 100%)" value={f.min_score} width="3" inputmode="numeric" errors={props.errors} />
        <TextField name="include_words" label="Only tenders mentioning any of (optional)" hint="Separated by commas" value={f.include_words} errors={props.errors} />
        <TextField name="exclude_words" label="Never tenders mentioning (optional)" hint="Separated by commas" value={f.exclude_words} errors={props.errors} />
        <TextField name="places" label="Only these places (optional)" hint="Regions or codes separated by commas, for example: West Midlands, TLG31" value={f.places} errors={props.errors} />
        <Checkboxes
          name="switches"
          legend="Sending"
          small
          items={[
            { value: 'paused', label: 'Pause my alerts for now', checked: f.paused },
            { value: 'unsubscribed', label: 'Stop all alert emails (unsubscribe)', checked: !f.subscribed },
          ]}
        />
        <Button>Save</Button>
      </form>
    </Layout>
  );
}
