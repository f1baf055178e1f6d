// Dependency rules from /work/shared/DESIGN.md: four layers, imports point down only; no cycles; src never imports test.
// `npm run depcruise` (scripts/check-deps.mjs) prints every violation and fails on any; it also checks folder-level cycles.
const KERNEL = ['tenancy', 'auth', 'jobs', 'outbox', 'realtime', 'ops', 'config', 'common', 'database', 'security', 'storage'];
const CORE = ['conversations', 'cases', 'tickets', 'channels', 'citizens', 'comuni'];
const PLATFORM = ['console', 'analytics', 'routing', 'portal', 'web', 'operators'];
const SERVICES = ['participation', 'bookings', 'campaigns', 'assistant', 'onboarding', 'interop'];
const dirs = (names) => `^src/(${names.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-file-cycle',
      severity: 'error',
      comment: 'No import cycles between files either.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-imports-up',
      severity: 'error',
      comment: 'The kernel imports only the kernel.',
      from: { path: dirs(KERNEL), pathNot: '^src/database/data-source\\.ts$' },
      to: { path: dirs([...CORE, ...PLATFORM, ...SERVICES]) },
    },
    {
      name: 'core-imports-up',
      severity: 'error',
      comment: 'Core imports only core and kernel.',
      from: { path: dirs(CORE) },
      to: { path: dirs([...PLATFORM, ...SERVICES]) },
    },
    {
      name: 'platform-imports-up',
      severity: 'error',
      comment: 'Platform never imports a service.',
      from: { path: dirs(PLATFORM) },
      to: { path: dirs(SERVICES) },
    },
    {
      name: 'api-types-import-api-types',
      severity: 'error',
      comment:
        'A *.api.ts module declares what a route answers; the front-ends import it with `import type` (tsconfig path @server/*): it imports only other *.api.ts modules.',
      from: { path: '^src/.+\\.api\\.ts$' },
      to: { pathNot: '^src/.+\\.api\\.ts$' },
    },
    {
      name: 'api-types-are-type-only',
      severity: 'error',
      comment: 'A *.api.ts module imports types only (nothing of the server may reach a front-end bundle).',
      from: { path: '^src/.+\\.api\\.ts$' },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-imports-test',
      severity: 'error',
      comment: 'Production code never imports tests or benchmarks.',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A file nothing imports is dead (entry points and declaration files excepted).',
      from: { orphan: true, path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/', '\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
