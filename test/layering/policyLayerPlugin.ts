import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@arbor/core';

/** The label the local policy gives /usr/share/base and everything under it. */
export const LOCAL_LABEL = 'system_u:object_r:etc_t:s0';

/**
 * A layer plugin for the relabel test, loaded by path from the config: its one "package" is a
 * local SELinux policy change, file_contexts.local in the tree's policy (written as a new file,
 * as layer taps must), which relabels files the layering does not otherwise touch.
 */
export default definePlugin({
  name: 'test:policylayer',
  apply(arbor) {
    arbor.hooks.layer.tapPromise('test:policylayer', async (request) => {
      const local = path.join(request.tree, 'usr/etc/selinux/default/contexts/files/file_contexts.local');
      fs.writeFileSync(`${local}.tmp`, `/usr/share/base(/.*)?\t${LOCAL_LABEL}\n`);
      fs.renameSync(`${local}.tmp`, local);
      return { layeredBy: 'test:policylayer', added: [{ name: 'policy-local', nevra: 'policy-local-1-1.noarch' }], removed: [], replaced: [], inactive: [] };
    });
  },
});
