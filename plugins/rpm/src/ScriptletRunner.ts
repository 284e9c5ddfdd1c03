import { ArborError, ErrorCode, runInTree, treeHasProgram, type HookContext, type SandboxResult, type SandboxRun } from '@arbor/core';
import type { Scriptlet } from './RpmScriptlet';

/** Where the script body is placed inside the sandbox (rpm also runs a temp file: `$0` is a path). */
const SCRIPT_PATH = '/tmp/arbor-scriptlet';

/** One installed package's scriptlets, in install order. */
export interface PackageScriptlets {
  /** The package's NEVRA, which reports name. */
  package: string;
  scriptlets: Scriptlet[];
  /** rpm's `$1`: instances of the package once the transaction is done (1 on install, 2 on upgrade). */
  instances?: number;
}

export interface ScriptletRunOptions {
  enabled: boolean;
  context: HookContext;
  /** Runs one scriptlet; compose binds the tree itself (runInTree), layering an overlay of it. */
  run?: (run: SandboxRun) => Promise<SandboxResult>;
  /** The error code and hint of a failure; compose's by default. */
  failure?: { code: string; hint?: string };
}

export interface ScriptletOutcome {
  package: string;
  scriptlet: string;
  /** Why it did not run; absent when it ran and succeeded. */
  skipped?: string;
}

/**
 * The install-time scriptlets in the order compose runs them: rpm-ostree lays down every
 * package first, then runs each phase across all packages in install order. Each phase takes
 * the spec-file name and rpm's tag name (RPMTAG_PREIN is `%pre` in a spec file).
 */
const PHASES: Record<string, string[]> = {
  pretrans: ['pretrans'],
  pre: ['prein', 'pre'],
  post: ['postin', 'post'],
  posttrans: ['posttrans'],
};

/**
 * Runs package scriptlets inside the tree (bubblewrap, the tree's own interpreter), the way rpm
 * does for a fresh install: the body is the script, `$1` is 1 (one instance installed). A
 * scriptlet that cannot run (scriptlets turned off, rpm's embedded Lua, no interpreter in the
 * tree) is returned as skipped with its reason, and warned about; one that runs and fails
 * stops the compose, naming the package and the scriptlet.
 */
export async function runScriptlets(
  tree: string,
  packages: readonly PackageScriptlets[],
  options: ScriptletRunOptions,
): Promise<ScriptletOutcome[]> {
  const run = options.run ?? runInTree;
  const failure = options.failure ?? {
    code: ErrorCode.COMPOSE_SCRIPTLET_FAILED,
    hint: 'Set "scriptlets: false" in the treefile to compose without running scriptlets',
  };
  const { context } = options;
  const work = Object.entries(PHASES).flatMap(([phase, names]) =>
    packages.flatMap((pkg) => pkg.scriptlets.filter((scriptlet) => names.includes(scriptlet.name)).map((scriptlet) => ({ pkg, phase, scriptlet }))));
  const outcomes: ScriptletOutcome[] = [];
  const task = context.progress.start('scriptlets', work.length);
  try {
    for (const { pkg, phase, scriptlet } of work) {
      const outcome: ScriptletOutcome = { package: pkg.package, scriptlet: `%${phase}` };
      const interpreter = scriptlet.interpreter.length ? scriptlet.interpreter : ['/bin/sh'];
      if (!options.enabled) outcome.skipped = 'scriptlets are turned off (treefile "scriptlets: false")';
      else if (interpreter[0] === '<lua>') outcome.skipped = 'it is written for rpm\'s embedded Lua interpreter';
      else if (!treeHasProgram(tree, interpreter[0]!)) outcome.skipped = `the tree has no ${interpreter[0]} to run it`;
      if (outcome.skipped) {
        context.logger.warn(`${outcome.scriptlet} of ${pkg.package} did not run: ${outcome.skipped}`);
      } else {
        context.logger.debug(`running ${outcome.scriptlet} of ${pkg.package}`);
        // `%post -p /sbin/ldconfig` has no body: rpm runs the program itself, with the same $1.
        const instances = String(pkg.instances ?? 1);
        const argv = scriptlet.body ? [...interpreter, SCRIPT_PATH, instances] : [...interpreter, instances];
        const result = await run({ tree, argv, inputs: scriptlet.body ? { [SCRIPT_PATH]: scriptlet.body } : undefined, signal: context.signal });
        if (result.status !== 0) {
          const detail = result.output.trim().split('\n').pop() ?? '';
          throw new ArborError(
            failure.code,
            `${outcome.scriptlet} of ${pkg.package} failed with exit status ${result.status}${detail ? `: ${detail}` : ''}`,
            { hint: failure.hint },
          );
        }
      }
      outcomes.push(outcome);
      task.tick();
    }
  } finally {
    task.done();
  }
  return outcomes;
}
