import { definePlugin, Stage, type HookContext, type ResolvePlan } from '@arbor/core';
import { copyDirectory } from './copyDirectory';
import { extractTarball } from './extractTarball';
import { isTreeRecord, TreeSource } from './TreeSource';

export const PLUGIN_NAME = 'arbor:tree';

/**
 * A plain directory or a tarball as what a compose commits, through the compose hooks:
 * - `source` for kinds `dir` and `tar`: each treefile repo of those kinds is one "package";
 * - `resolve` (Stage.POST, after any package resolver, which replaces the selection): every
 *   tree is selected, before any packages, so packages land on top of the tree;
 * - `install` (bail): lays a directory over the staging tree, or unpacks a tarball into it.
 * The rest of compose (postprocess, label, commit) runs as for packages.
 */
export const treePlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    for (const kind of ['dir', 'tar'] as const) {
      arbor.hooks.source.for(kind).tapPromise(PLUGIN_NAME, async (spec) => new TreeSource(spec, kind));
    }
    arbor.hooks.resolve.tapPromise({ name: PLUGIN_NAME, stage: Stage.POST }, async (plan: ResolvePlan) => selectTrees(plan));
    arbor.hooks.install.tapPromise(PLUGIN_NAME, async (request, context: HookContext) => {
      if (!isTreeRecord(request.package)) return undefined;
      context.logger.info(`Laying down ${request.package.treeKind === 'dir' ? 'directory' : 'tarball'} ${request.packagePath}`);
      const entries = request.package.treeKind === 'dir'
        ? copyDirectory(request.packagePath, request.tree)
        : await extractTarball(request.packagePath, request.tree);
      return { installedBy: PLUGIN_NAME, entries };
    });
  },
});

function selectTrees(plan: ResolvePlan): ResolvePlan {
  const trees = plan.available.filter(isTreeRecord);
  if (trees.length === 0) return plan;
  const problems = [...plan.problems];
  // Package names with only trees to choose from: nothing could answer them.
  if (plan.available.every(isTreeRecord)) {
    for (const name of plan.requested) problems.push(`no package matches ${name}: the treefile's repos are trees (dir, tar), which hold no packages`);
  }
  const selected = [...trees, ...plan.selected.filter((pkg) => !isTreeRecord(pkg))];
  return { ...plan, selected, problems };
}
