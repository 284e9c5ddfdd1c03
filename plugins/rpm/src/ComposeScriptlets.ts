import type { HookContext } from '@arbor/core';
import type { RpmScripts } from './RpmScripts';
import type { Scriptlet } from './RpmScriptlet';
import { runScriptlets, type PackageScriptlets } from './ScriptletRunner';

/** rpm's install-time scriptlet tags, by the spec-file names ScriptletRunner orders. */
const INSTALL_SCRIPTLETS = [
  ['pretrans', 'pretrans'],
  ['prein', 'pre'],
  ['postin', 'post'],
  ['posttrans', 'posttrans'],
] as const;

const STATE_KEY = 'arbor:rpm:scriptlets';

/**
 * One compose's scriptlets, kept in the compose's shared state between `install` (which
 * collects each package's, in install order) and `postprocess` (which runs them all).
 */
export class ComposeScriptlets {
  private readonly packages: PackageScriptlets[] = [];
  /** What could not run, with why; the commit metadata records it. */
  skipped: { package: string; scriptlet: string; reason: string }[] = [];

  add(nevra: string, scripts: RpmScripts): void {
    this.packages.push({ package: nevra, scriptlets: installScriptlets(scripts) });
  }

  async run(tree: string, options: { enabled: boolean; context: HookContext }): Promise<void> {
    const outcomes = await runScriptlets(tree, this.packages, options);
    this.skipped = outcomes.filter((o) => o.skipped).map((o) => ({ package: o.package, scriptlet: o.scriptlet, reason: o.skipped! }));
  }
}

/** A package's install-time scriptlets (compose and layering run these), in rpm's phase order. */
export function installScriptlets(scripts: RpmScripts): Scriptlet[] {
  const scriptlets: Scriptlet[] = [];
  for (const [rpmName, name] of INSTALL_SCRIPTLETS) {
    const script = scripts[rpmName];
    if (script) scriptlets.push({ name, interpreter: script.interpreter, body: script.body });
  }
  return scriptlets;
}

/** The compose's scriptlets, created on first use. */
export function composeScriptlets(state: Record<string, unknown>): ComposeScriptlets {
  let scriptlets = state[STATE_KEY] as ComposeScriptlets | undefined;
  if (!scriptlets) state[STATE_KEY] = scriptlets = new ComposeScriptlets();
  return scriptlets;
}
