/**
 * The layers of tendermatch (../shared/DESIGN.md): data goes one way along the spine, and nothing downstream
 * reaches back upstream. `npm run lint:layers` checks these rules; CI runs it.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain is pure logic: it imports only src/domain and pure npm packages (no Node API, no db, jobs, routes, mail, sources).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/'] },
    },
    {
      name: 'domain-uses-no-node-api',
      comment: 'src/domain runs on Node and Workers alike: no node: builtins.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'routes-never-run-jobs',
      comment: 'A route may queue a job but never runs one: src/routes and src/views do not import jobs/.',
      severity: 'error',
      from: { path: '^src/(routes|views)/' },
      to: { path: '^jobs/' },
    },
    {
      name: 'db-knows-no-mail-or-routes',
      comment: 'db/ knows nothing of mail, routes, views, sources or jobs.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: ['^src/(mail|routes|views|sources|commands)/', '^jobs/', '^src/(app|cli)\\.ts$'] },
    },
    {
      name: 'db-takes-the-ingest-pipeline',
      comment:
        'The store writes prepared rows: the ingest pipeline (src/ingest/: check, compile, normalise, tag a batch) lives with ingest, and db/ is given it (db/prepared.ts IngestPipeline) rather than importing it.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^src/ingest/' },
    },
    {
      name: 'migrations-import-nothing',
      comment: 'The migration runner never imports application code: migrations are frozen in time.',
      severity: 'error',
      from: { path: '^db/migrate\\.ts$' },
      to: { path: ['^src/', '^jobs/', '^db/queries/'] },
    },
    {
      name: 'jobs-do-not-serve-http',
      comment: 'Jobs are plain async functions: they do not import routes, views or the app (benchmarks and tools may start the service).',
      severity: 'error',
      from: { path: '^jobs/', pathNot: '^jobs/(bench|tools)/' },
      to: { path: ['^src/(routes|views)/', '^src/app\\.ts$'] },
    },
    {
      name: 'no-import-cycles',
      comment: 'Modules form layers, not loops.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sources-are-upstream',
      comment: 'Feed adapters fetch and read pages; they do not reach into the store, jobs or routes.',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: ['^db/', '^jobs/', '^src/(routes|views|mail|commands)/'] },
    },
    {
      name: 'tests-are-not-imported',
      comment: 'Nothing the service runs imports test code.',
      severity: 'error',
      from: { path: '^(src|db|jobs)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.generated\\.ts$' },
  },
};
