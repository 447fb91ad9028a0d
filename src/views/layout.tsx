/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

/**
 * The shared page layout: GOV.UK Frontend's styles and the service's own, both served by the service itself
 * (/assets/govuk-frontend.css without the GOV.UK crown and font, /assets/site.css), no scripts, a skip link,
 * landmarks, a language and navigation to each kind of user's pages, so pages work without JavaScript and read
 * well in a screen reader.
 */
export type Section = 'home' | 'tenders' | 'suppliers' | 'account' | 'councils' | 'operator' | 'data';

export interface LayoutProps {
  title: string;
  children: Child;
  footer?: Child;
  /** Which navigation link is the current page's. */
  section?: Section;
  /** Signed in as: the account link names it, and a sign-out form is shown. */
  signedIn?: { name: string; csrf: string } | null;
}

const NAV: Array<[Section, string, string]> = [
  ['tenders', '/find/tenders', 'Find tenders'],
  ['suppliers', '/find/suppliers', 'Find suppliers'],
  ['account', '/account', 'Your firm'],
  ['councils', '/councils', 'Council spend'],
  ['operator', '/operator/feeds', 'Feeds'],
];

export function Layout(props: LayoutProps) {
  return (
    <html lang="en-GB" class="govuk-template">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} – tendermatch</title>
        <link rel="stylesheet" href="/assets/govuk-frontend.css" />
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body class="govuk-template__body">
        <a class="govuk-skip-link skip" href="#content">
          Skip to main content
        </a>
        <header class="site" role="banner">
          <div class="site-inner">
            <a class="site-name" href="/">
              tendermatch
            </a>
            <nav aria-label="Main">
              <ul class="site-nav">
                {NAV.map(([section, href, label]) => (
                  <li>
                    <a href={href} aria-current={props.section === section ? 'page' : undefined}>
                      {section === 'account' && props.signedIn ? props.signedIn.name : label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            {props.signedIn ? (
              <form method="post" action="/sign-out" class="site-signout">
                <input type="hidden" name="_csrf" value={props.signedIn.csrf} />
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            ) : null}
          </div>
        </header>
        <div class="govuk-width-container">
          <main class="govuk-main-wrapper" id="content">
            {props.children}
          </main>
        </div>
        <footer class="site govuk-body-s">
          {props.footer}
          <p>
            Contains public sector information licensed under the Open Government Licence v3.0. <a href="/about/data">Data, licences and publishers</a>.
          </p>
        </footer>
      </body>
    </html>
  );
}
