import { definePlugin, type FileMetadata, type HookContext, type LabelRequest, type LabelTarget } from '@arbor/core';
import type { FileContexts } from './FileContexts';
import { loadFileContexts } from './loadFileContexts';
import { loadTreePolicy } from './treePolicy';

export const PLUGIN_NAME = 'arbor:selinux';

/** Where the kernel keeps a file's SELinux context (xattr(7), security namespace). */
export const SELINUX_XATTR = 'security.selinux';

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Taps `label` to give every directory, file and symlink of a commit the context its policy's
 * file_contexts gives its runtime path (usr/etc/x labeled as /etc/x), stored as the
 * `security.selinux` xattr: the context and a trailing NUL, as lsetfilecon(3) and setfiles
 * write it. The policy is `--file-contexts FILE`, or with compose's `selinux: true` the one the
 * tree ships (etc/selinux/config); it is compiled once per commit. A path whose spec is
 * `<<none>>`, or that no spec matches, is committed without a label, even if the tree on disk
 * had one: the commit carries the policy's labels and nothing from the build host.
 */
export const selinuxPlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    const policies = new WeakMap<LabelRequest, FileContexts>();
    // One xattr value per context, shared by every entry that has it: a policy has a few
    // hundred contexts and a tree 100k entries (taps return metadata, never write into it).
    const values = new Map<string, Buffer>();
    // Without --file-contexts or selinux: true it changes nothing, so such commits skip the hook.
    arbor.hooks.label.tapPromise({ name: PLUGIN_NAME, labelsOnRequest: true }, async (metadata: FileMetadata, target: LabelTarget, context: HookContext): Promise<FileMetadata> => {
      const { request } = target;
      if (!request.fileContexts && !request.selinux) return metadata;
      let policy = policies.get(request);
      if (!policy) {
        policy = loadPolicy(request, target.root, context);
        policies.set(request, policy);
      }
      // file_contexts are matched against bytes (libselinux has no notion of encoding).
      const path = NON_ASCII.test(target.path) ? Buffer.from(target.path, 'utf8').toString('latin1') : target.path;
      const label = policy.lookup(path, target.type);
      const xattrs = { ...metadata.xattrs };
      if (label === null) delete xattrs[SELINUX_XATTR];
      else {
        let value = values.get(label);
        if (!value) values.set(label, (value = Buffer.from(`${label}\0`, 'latin1')));
        xattrs[SELINUX_XATTR] = value;
      }
      return { ...metadata, xattrs };
    });
  },
});

function loadPolicy(request: LabelRequest, root: string, context: HookContext): FileContexts {
  if (request.fileContexts) {
    const policy = loadFileContexts(request.fileContexts);
    context.logger.info(`${PLUGIN_NAME}: labeling from ${request.fileContexts} (${policy.specs.length} specs)`);
    return policy;
  }
  const { type, fileContextsPath, fileContexts } = loadTreePolicy(root);
  context.logger.info(`${PLUGIN_NAME}: labeling with the tree's ${type} policy, ${fileContextsPath} (${fileContexts.specs.length} specs)`);
  return fileContexts;
}
