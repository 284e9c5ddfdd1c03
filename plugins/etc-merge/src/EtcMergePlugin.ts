import { definePlugin } from '@arbor/core';
import { applyEtcMerge } from './applyEtcMerge';

export const PLUGIN_NAME = 'arbor:etc-merge';

/**
 * Taps `mergeEtc` with ostree's strategy: the admin's version of every changed file wins.
 * A plugin with another strategy (say, `<file>.arbornew` beside each conflict) taps at
 * Stage.PRE and sets `applied`; this one then leaves the plan alone.
 */
export const etcMergePlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.mergeEtc.tapPromise(PLUGIN_NAME, async (plan, input) => (plan.applied ? plan : applyEtcMerge(plan, input)));
  },
});
