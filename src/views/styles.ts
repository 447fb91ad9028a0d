/**
 * The one stylesheet of the service's pages, served at /assets/site.css by the service itself: no external
 * fonts, scripts or CDNs, so pages work offline and leak nothing to third parties. System fonts; colours meet
 * WCAG AA contrast on white.
 */
export const SITE_CSS = `
:root { --ink: #1b1b1b; --muted: #505a5f; --line: #b1b4b6; --panel: #f3f2f1; --accent: #1d70b8; --local: #00703c; --out: #d4351c; --focus: #ffdd00; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); line-height: 1.45; }
body { margin: 0; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid var(--focus); outline-offset: 0; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--focus); color: var(--ink); padding: .5rem; }
header.site { background: var(--ink); color: #fff; padding: .75rem 1.25rem; }
header.site a { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.15rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
footer.site { border-top: 1px solid var(--line); color: var(--muted); padding: 1rem 1.25rem; font-size: .9rem; max-width: 72rem; margin: 0 auto; }
h1 { font-size: 2rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.4rem; margin: 2rem 0 .75rem; }
.lede { color: var(--muted); max-width: 48rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; margin: 1rem 0; padding: 0; list-style: none; }
.figures li { background: var(--panel); padding: .75rem 1rem; border-left: 5px solid var(--accent); }
.figures .value { display: block; font-size: 1.5rem; font-weight: 700; overflow-wrap: anywhere; }
.figures .what { display: block; font-weight: 600; }
.figures .of { display: block; color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: end; background: var(--panel); padding: .75rem 1rem; }
form.filters label { display: flex; flex-direction: column; font-weight: 600; font-size: .9rem; }
form.filters input, form.filters select { font: inherit; padding: .3rem .4rem; border: 2px solid var(--ink); min-width: 9rem; }
button, .button { font: inherit; font-weight: 600; background: var(--local); color: #fff; border: 0; padding: .45rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
.chart { max-width: 100%; height: auto; }
.chart .bar { fill: var(--local); }
.chart .axis, .chart .grid { stroke: var(--line); }
.chart text { fill: var(--ink); font-size: 12px; }
.note { color: var(--muted); font-size: .9rem; }
.tag-local { color: var(--local); font-weight: 600; }
.tag-out { color: var(--out); font-weight: 600; }
.error { border-left: 5px solid var(--out); padding: .75rem 1rem; background: #fdf0ee; }
.site-inner { max-width: 72rem; margin: 0 auto; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; }
header.site .site-nav { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; margin: 0; padding: 0; }
header.site .site-nav a { font-weight: 400; font-size: 1rem; }
header.site .site-nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: .3em; font-weight: 700; }
header.site .site-signout { margin: 0 0 0 auto; }
.link-button { background: none; color: #fff; border: 0; padding: 0; text-decoration: underline; font: inherit; cursor: pointer; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; padding: 0; list-style: none; }
.cards li { border-top: 5px solid var(--accent); background: var(--panel); padding: .75rem 1rem; }
.results { list-style: none; padding: 0; }
.results > li { border-bottom: 1px solid var(--line); padding: .75rem 0; }
.results h2, .results h3 { margin: 0 0 .25rem; font-size: 1.2rem; }
.meta { color: var(--muted); margin: .15rem 0; }
.facets { background: var(--panel); padding: .75rem 1rem; }
.facet-count { color: var(--muted); }
.facets .govuk-select, .facets .govuk-input { max-width: 100%; min-width: 0; }
.layout-search { display: grid; grid-template-columns: minmax(14rem, 1fr) 3fr; gap: 1.5rem; }
@media (max-width: 48rem) { .layout-search { grid-template-columns: 1fr; } }
.reasons { margin: .25rem 0 .5rem 1.25rem; padding: 0; }
.notice-text { white-space: pre-line; overflow-wrap: anywhere; }
.key { font-family: ui-monospace, monospace; background: var(--panel); padding: .5rem; overflow-wrap: anywhere; }
@media print { header.site, form.filters, .skip { display: none; } }
`;
