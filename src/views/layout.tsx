/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

/**
 * The shared page layout: one stylesheet from the service itself (/assets/site.css), no scripts, a skip link,
 * landmarks and a language, so pages work without JavaScript and read well in a screen reader.
 */
export function Layout(props: { title: string; children: Child; footer?: Child }) {
  return (
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} – tendermatch</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body>
        <a class="skip" href="#content">Skip to the report</a>
        <header class="site">
          <a href="/">tendermatch</a>
        </header>
        <main id="content">{props.children}</main>
        <footer class="site">
          {props.footer}
          <p>Contains public sector information licensed under the Open Government Licence v3.0.</p>
        </footer>
      </body>
    </html>
  );
}
