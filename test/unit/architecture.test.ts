/**
 * The layer rules of docs/architecture.md, kept by reading every import of functions/ and lib/
 * (static, dynamic and type-only: a type import is a dependency a reader must follow too). A rule
 * names the layer a file is in and the layers it may not reach; a failure lists each import that
 * breaks it, as `file -> imported file`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s+'([^']+)'/g;

/** Every import of a file: project files as paths from the root, packages as their names. */
const importsOf = (file: string): string[] =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3]) as string;
    return spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;
  });

const FILES = [...sources('functions'), ...sources('lib')];
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

/**
 * The doctor runs in the CLI's own process (no Lambda runs it): its command is to it what a handler
 * is to a use case. Of the use cases and composition roots, that command may import these, and
 * nothing else of lib/cli may import any.
 */
const DOCTOR_COMMAND = 'lib/cli/commands/doctor.ts';
const DOCTOR_FOR_CLI = ['lib/doctor/runDoctor.ts', 'lib/doctor/findings.ts', 'lib/doctor/wiring.ts'];

/** Cross-cutting modules every layer above the domain may use. */
const CROSS_CUTTING = ['lib/config.ts', 'lib/errors.ts', 'lib/logger.ts', 'lib/metrics.ts', 'lib/ports.ts'];

type Layer =
  | 'handler'
  | 'function config'
  | 'use case'
  | 'composition root'
  | 'cross-cutting'
  | 'domain'
  | 'contract'
  | 'catalog'
  | 'adapter'
  | 'infra'
  | 'local'
  | 'cli'
  | 'catalog file'
  | 'package';

const layerOf = (path: string): Layer => {
  if (!path.startsWith('lib/') && !path.startsWith('functions/'))
    return path === 'jobs.ts' ? 'catalog file' : 'package';
  if (/^functions\/[^/]+\/handler\.ts$/.test(path)) return 'handler';
  if (path.startsWith('functions/')) return 'function config';
  if (path.startsWith('lib/domain/')) return 'domain';
  if (path.startsWith('lib/contracts/')) return 'contract';
  if (path.startsWith('lib/catalog/')) return 'catalog';
  if (path.startsWith('lib/aws/')) return 'adapter';
  if (path.startsWith('lib/infra/')) return 'infra';
  if (path.startsWith('lib/local/')) return 'local';
  if (path.startsWith('lib/cli/')) return 'cli';
  if (path === 'lib/wiring.ts' || path === 'lib/doctor/wiring.ts') return 'composition root';
  if ([...CROSS_CUTTING, 'lib/handler.ts', 'lib/schemaIssues.ts'].includes(path)) return 'cross-cutting';
  return 'use case';
};

/** Packages that do I/O or belong to the runtime: never in the domain. */
const IO_PACKAGES =
  /^(@aws-sdk\/|@aws-lambda-powertools\/|@middy\/|aws-sdk-client-mock|dynalite|node:(fs|child_process|http|net|os|path))/;

interface Rule {
  rule: string;
  from: Layer[];
  /** An import this rule refuses. */
  refuses: (to: string, toLayer: Layer, from: string) => boolean;
}

const RULES: Rule[] = [
  {
    rule: 'lib/domain imports only lib/domain, the catalog schema (types) and lib/errors.ts, and no I/O package',
    from: ['domain'],
    refuses: (to, layer) =>
      layer === 'package'
        ? IO_PACKAGES.test(to)
        : layer !== 'domain' && to !== 'lib/catalog/schema.ts' && to !== 'lib/errors.ts',
  },
  {
    rule: 'lib/contracts imports only lib/contracts, lib/domain, lib/errors.ts and lib/schemaIssues.ts',
    from: ['contract'],
    refuses: (to, layer) =>
      layer !== 'package' &&
      layer !== 'contract' &&
      layer !== 'domain' &&
      !['lib/errors.ts', 'lib/schemaIssues.ts'].includes(to),
  },
  {
    rule: 'lib/catalog imports only lib/catalog, lib/domain, lib/errors.ts, lib/schemaIssues.ts and jobs.ts',
    from: ['catalog'],
    refuses: (to, layer) =>
      !['package', 'catalog', 'domain', 'catalog file'].includes(layer) &&
      !['lib/errors.ts', 'lib/schemaIssues.ts'].includes(to),
  },
  {
    rule: 'lib/aws (adapters) imports only lib/aws, lib/domain, lib/contracts, lib/errors.ts and lib/ports.ts',
    from: ['adapter'],
    refuses: (to, layer) =>
      !['package', 'adapter', 'domain', 'contract'].includes(layer) && !['lib/errors.ts', 'lib/ports.ts'].includes(to),
  },
  {
    rule: 'a use case reaches side effects only through lib/ports.ts: never lib/aws, lib/infra, lib/local or lib/cli',
    from: ['use case', 'cross-cutting'],
    refuses: (_to, layer) => ['adapter', 'infra', 'local', 'cli', 'handler', 'composition root'].includes(layer),
  },
  {
    rule: 'lib/infra (the stack) never imports a use case, a handler, lib/local or lib/cli',
    from: ['infra', 'function config'],
    refuses: (_to, layer) => ['use case', 'handler', 'composition root', 'local', 'cli'].includes(layer),
  },
  {
    rule: 'functions/ and lib/aws never import lib/local or lib/cli (the local mocks are injected by esbuild, not imported)',
    from: ['handler', 'function config', 'adapter', 'composition root'],
    refuses: (_to, layer) => layer === 'local' || layer === 'cli',
  },
  {
    rule: 'lib/local never imports lib/cli (it returns data and emits events; lib/cli prints) nor a use case (it runs the handlers)',
    from: ['local'],
    refuses: (_to, layer) => layer === 'cli' || layer === 'use case' || layer === 'composition root',
  },
  {
    rule: "lib/cli never imports a use case, a composition root or a handler (it reaches them through lib/local or the control function); only the doctor's command imports the doctor's entry, report and wiring",
    from: ['cli'],
    refuses: (to, layer, from) =>
      layer === 'handler' ||
      (['use case', 'composition root'].includes(layer) && !(from === DOCTOR_COMMAND && DOCTOR_FOR_CLI.includes(to))),
  },
];

describe('Architecture: the layer rules (docs/architecture.md)', () => {
  it.each(RULES.map((r) => [r.rule, r] as const))('%s', (_name, rule) => {
    // Act
    const broken = [...GRAPH].flatMap(([from, imports]) =>
      rule.from.includes(layerOf(from))
        ? imports.filter((to) => rule.refuses(to, layerOf(to), from)).map((to) => `${from} -> ${to}`)
        : [],
    );

    // Assess
    expect(broken).toEqual([]);
  });

  it('has no import cycle in functions/ and lib/', () => {
    // Prepare
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const to of GRAPH.get(file) ?? []) if (GRAPH.has(to)) visit(to, [...path, file]);
      state.set(file, 'done');
    };

    // Act
    for (const file of GRAPH.keys()) visit(file, []);

    // Assess
    expect(cycles).toEqual([]);
  });

  it('reads the imports it checks (a parser that sees none would pass every rule)', () => {
    // Assess
    expect(GRAPH.get('lib/trackTask.ts')).toEqual(expect.arrayContaining(['lib/ports.ts', 'lib/domain/names.ts']));
    expect(GRAPH.get('lib/local/functionKeys.ts')).toContain('functions/onUpload/handler.ts');
    expect(layerOf('lib/settleAttempt.ts')).toBe('use case');
    expect(layerOf('lib/doctor/checks/network.ts')).toBe('use case');
    expect(layerOf('lib/doctor/wiring.ts')).toBe('composition root');
    expect(GRAPH.get(DOCTOR_COMMAND)).toEqual(expect.arrayContaining(DOCTOR_FOR_CLI));
  });
});
