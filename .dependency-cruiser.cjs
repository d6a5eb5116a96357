/**
 * Module boundaries of Poort, checked by `pnpm run lint` (depcruise over services, libs, e2e, bench and deploy).
 *
 * Workspace imports (`@poort/*`) resolve to library SOURCES through tsconfig.depcruise.json, so the check sees
 * every edge between packages and does not depend on a prior build. `dist/` and `node_modules/` are never cruised
 * as sources, but imports INTO them stay visible (that is how `@nestjs/*` and reaches into a build are caught).
 */
'use strict';

// ── The architecture ────────────────────────────────────────────────────────────────────────────────────────────
// Which workspace libraries (libs/<name>) the production code of each library (libs/<name>/src/**) may import.
// A library may always import itself. Test and bench code of a library (anything in libs/<name>/ outside src/)
// may import any library. A library that is not in this table may import nothing (add new libraries here).
// The table must stay acyclic: this file refuses to load if it is not, so package cycles cannot exist.
const ALLOW = {
  contracts: [],
  batching: [],
  config: [],
  observability: [],
  xml: [],
  pki: [],
  kafka: ['batching', 'contracts'],
  'message-state': ['config', 'contracts', 'observability'],
  'payload-store': ['contracts', 'message-state'],
  // A message type's official schema and rule sets are checked when the catalog loads.
  'message-types': ['contracts', 'standards'],
  // The helm test hook's client: a deployed chain checked from outside, over its public interfaces only.
  'smoke-test': ['config', 'contracts'],
  pipeline: ['config', 'contracts', 'kafka', 'message-state', 'observability'],
  transforms: ['xml'],
  'ws-security': ['xml'],
  wus: ['batching', 'contracts', 'pki', 'xml'],
  // Payloads and attachments encrypted for a recipient's certificate (XML Encryption 1.1, JWE).
  'recipient-encryption': ['pki'],
  // The official standards artefacts (fetched into .cache/standards) and the Schematron engine that runs them.
  standards: [],
  // The Nest platform adapter: module, lifecycle, health, metrics, error filter, runService.
  'nest-kit': ['config', 'contracts', 'kafka', 'message-state', 'message-types', 'observability', 'pipeline'],
  // The Nest edge adapter: client identity, WUS glue.
  'nest-edge': ['nest-kit', 'config', 'contracts', 'message-state', 'observability', 'pki', 'wus', 'ws-security', 'xml'],
  // The test harness: for test code, e2e and bench; never for a service's production code.
  testing: ['contracts', 'message-state', 'pki', 'ws-security', 'xml'],
};
// The only libraries that may import @nestjs/* (services may too): the Nest adapters.
const NEST_ADAPTERS = ['nest-kit', 'nest-edge'];
// Libraries that only test code (libs/*/test, services/*/test, e2e, bench, deploy) may import.
const TEST_ONLY = ['testing'];
// ────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const LIBS = Object.keys(ALLOW);

/** Throws unless every name in the table is a known library and the packages form a DAG. */
function assertAllowListIsADag(allow) {
  for (const [lib, deps] of Object.entries(allow)) {
    for (const dep of deps) {
      if (dep === lib) throw new Error(`.dependency-cruiser.cjs: allow-list entry '${lib}' lists itself (a library may always import itself)`);
      if (!Object.hasOwn(allow, dep)) throw new Error(`.dependency-cruiser.cjs: allow-list entry '${lib}' allows '${dep}', which is not a library in the table`);
    }
  }
  for (const name of [...NEST_ADAPTERS, ...TEST_ONLY]) {
    if (!Object.hasOwn(allow, name)) throw new Error(`.dependency-cruiser.cjs: '${name}' is named outside the allow-list but is not in it`);
  }
  const ON_PATH = 1;
  const DONE = 2;
  const state = new Map(); // lib -> ON_PATH | DONE
  const visit = (lib, path) => {
    if (state.get(lib) === DONE) return;
    if (state.get(lib) === ON_PATH) {
      const cycle = [...path.slice(path.indexOf(lib)), lib].join(' → ');
      throw new Error(
        `.dependency-cruiser.cjs: the allow-list has a cycle between packages (${cycle}); ` +
          'packages must form a DAG: move the shared code into a lower library instead of allowing both directions',
      );
    }
    state.set(lib, ON_PATH);
    for (const dep of allow[lib]) visit(dep, [...path, lib]);
    state.set(lib, DONE);
  };
  for (const lib of Object.keys(allow)) visit(lib, []);
}
assertAllowListIsADag(ALLOW);

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const oneOf = (names) => `(${names.map(escape).join('|')})`;
// A package directory: libs/<name>, services/<name>, e2e, bench, deploy, cli.
const PACKAGE = '((libs|services)/[^/]+|e2e|bench|deploy|cli)';

/** One rule per library: its src/ may import only itself and the libraries in its row of the table. */
const allowListRules = LIBS.map((lib) => ({
  name: `${lib}-imports-lib-outside-allow-list`,
  comment:
    `libs/${lib}/src may import only ${ALLOW[lib].length ? ALLOW[lib].map((d) => `@poort/${d}`).join(', ') : 'no library of ours'}. ` +
    'Either the import is wrong, or the architecture changes: then change the allow-list at the top of .dependency-cruiser.cjs (it must stay acyclic).',
  severity: 'error',
  from: { path: `^libs/${escape(lib)}/src/` },
  to: { path: '^libs/[^/]+/', pathNot: `^libs/${oneOf([lib, ...ALLOW[lib]])}/` },
}));

const unknownLib = `^libs/(?!${oneOf(LIBS)}/)[^/]+/`;
const unknownLibComment =
  'a library that is not in the allow-list at the top of .dependency-cruiser.cjs: add it there with the libraries it may import';

module.exports = {
  forbidden: [
    ...allowListRules,
    { name: 'lib-not-in-allow-list', comment: `This module belongs to ${unknownLibComment}.`, severity: 'error', from: { path: unknownLib }, to: {} },
    { name: 'lib-not-in-allow-list', comment: `This module belongs to ${unknownLibComment}.`, severity: 'error', from: { path: unknownLib, orphan: true }, to: {} },
    { name: 'lib-not-in-allow-list', comment: `This import reaches ${unknownLibComment}.`, severity: 'error', from: {}, to: { path: unknownLib } },
    {
      name: 'service-imports-other-service',
      comment: 'A service imports code of another service. Services talk only over Kafka (and HTTP); shared code belongs in a library.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'lib-imports-service',
      comment: 'A library imports code of a service. Libraries sit below services; move the shared code into a library.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^services/' },
    },
    {
      name: 'e2e-or-bench-imports-service',
      comment: 'e2e, bench or deploy imports code of a service. They drive services as processes, over their Kafka and HTTP interfaces.',
      severity: 'error',
      from: { path: '^(e2e|bench|deploy|cli)/' },
      to: { path: '^services/' },
    },
    {
      name: 'cli-src-imports-lib',
      comment: 'The submitter CLI (cli/) is installed on its own (npm install -g of its packed tarball), without Poort\'s libraries: its src/ may import none of them (its tests may).',
      severity: 'error',
      from: { path: '^cli/src/' },
      to: { path: '^libs/' },
    },
    {
      name: 'service-src-imports-test-only-lib',
      comment: `A service's production code imports ${TEST_ONLY.map((l) => `@poort/${l}`).join(', ')}, which is for test code only (services/<name>/test).`,
      severity: 'error',
      from: { path: '^services/[^/]+/', pathNot: '^services/[^/]+/test/' },
      to: { path: `^libs/${oneOf(TEST_ONLY)}/` },
    },
    {
      name: 'nestjs-outside-adapters',
      comment: `@nestjs/* is imported outside the Nest adapter libraries (${NEST_ADAPTERS.join(', ')}) and the services. Libraries stay framework-free; put the Nest glue in an adapter.`,
      severity: 'error',
      from: { pathNot: `^(libs/${oneOf(NEST_ADAPTERS)}|services/[^/]+)/` },
      to: { path: '(^|/node_modules/)@nestjs/' },
    },
    {
      name: 'relative-import-crosses-package',
      comment: 'A relative import reaches into another package (or outside any package). Packages talk through their @poort/* name and public index.',
      severity: 'error',
      from: { path: `^${PACKAGE}/` },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased'], pathNot: '^$1/' },
    },
    {
      name: 'unresolvable-import',
      comment: 'An import that does not resolve: a typo, a missing dependency in package.json, or a library folder that does not exist (yet). The boundary check cannot see where it goes.',
      severity: 'error',
      from: {},
      // A script that runs its own package's compiled code (`../dist/…`, e.g. a bench) resolves only after a build.
      to: { couldNotResolve: true, pathNot: '^(\\.\\./)+dist/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle between modules. Break it: extract the shared part, or invert one dependency.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Neither built output nor installed packages are cruised as sources, but edges into them stay in the graph.
    doNotFollow: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    // Only for depcruise: maps @poort/* to libs/*/src/index.ts.
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
