import fs from 'node:fs';
import { definePlugin, v, type CheckoutRequest, type CheckoutResult, type HookContext } from '@arbor/core';
import { CopyPlacer } from './CopyPlacer';
import { HardlinkPlacer } from './HardlinkPlacer';
import { TreeWriter } from './TreeWriter';

export const PLUGIN_NAME = 'arbor:storage';
export const STRATEGIES = ['hardlink', 'reflink', 'copy'] as const;

const StorageOptions = v.strictObject({
  /**
   * When a hardlink checkout is impossible (an archive repo, DEST on another filesystem,
   * protected_hardlinks for a non-root user), copy instead of failing. Default true.
   */
  fallbackToCopy: v.optional(v.boolean(), true),
});

export type StorageOptions = v.InferOutput<typeof StorageOptions>;

/**
 * Offers the three checkout strategies on the `checkout` bail hook, and removes what they made
 * on `removeCheckout`; for any other strategy it returns undefined, so a plugin offering e.g.
 * `btrfs-subvolume` can tap the same hooks. `arbor checkout` and deploy both come here.
 */
export const storagePlugin = definePlugin<StorageOptions>({
  name: PLUGIN_NAME,
  options: StorageOptions,
  apply(arbor, options) {
    arbor.hooks.checkout.tapPromise(PLUGIN_NAME, async (request: CheckoutRequest, context: HookContext): Promise<CheckoutResult | undefined> => {
      if (!(STRATEGIES as readonly string[]).includes(request.strategy)) return undefined;
      const copy = new CopyPlacer(request.repo, { reflink: request.strategy === 'reflink' });
      const placer = request.strategy === 'hardlink' ? HardlinkPlacer.create(request.repo, copy, options, context.logger) : copy;
      return await new TreeWriter(request, placer, context).run();
    });
    // The three strategies make plain directory trees, so removing one is a recursive delete
    // that never follows symlinks (rm(2) semantics: a link is removed, not its target).
    arbor.hooks.removeCheckout.tapPromise(PLUGIN_NAME, async (request) => {
      if (!(STRATEGIES as readonly string[]).includes(request.strategy)) return undefined;
      await fs.promises.rm(request.path, { recursive: true, force: true });
      return true;
    });
  },
});
