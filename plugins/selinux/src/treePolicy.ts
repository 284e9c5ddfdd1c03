import path from 'node:path';
import { ArborError } from '@arbor/core';
import type { FileContexts } from './FileContexts';
import { loadFileContexts, treeFileReader } from './loadFileContexts';
import { SelinuxErrorCode } from './SelinuxErrorCode';

/** Where a tree keeps /etc: an ostree-style tree has moved it to usr/etc by the time it commits. */
const ETC_DIRS = ['etc', 'usr/etc'];

/**
 * The policy a tree ships: etc/selinux/config names it with SELINUXTYPE (matched as libselinux's
 * selinux_config.c does: tag case-insensitive, trailing blanks dropped), and its file contexts
 * are etc/selinux/<type>/contexts/files/file_contexts plus their companions.
 */
export function loadTreePolicy(root: string): { type: string; fileContextsPath: string; fileContexts: FileContexts } {
  const read = treeFileReader(root);
  for (const etc of ETC_DIRS) {
    const config = read(path.join(root, etc, 'selinux/config'));
    if (config === null) continue;
    const type = policyType(config);
    if (!type) {
      throw new ArborError(SelinuxErrorCode.POLICY_NOT_FOUND, `${path.join(root, etc, 'selinux/config')} has no SELINUXTYPE=`, {
        hint: 'SELINUXTYPE names the policy whose file contexts label the tree.',
      });
    }
    const fileContextsPath = path.join(root, etc, 'selinux', type, 'contexts/files/file_contexts');
    return { type, fileContextsPath, fileContexts: loadFileContexts(fileContextsPath, read) };
  }
  throw new ArborError(SelinuxErrorCode.POLICY_NOT_FOUND, `The tree ${root} has no etc/selinux/config naming its SELinux policy`, {
    hint: 'With `selinux: true` the tree must install a policy (etc/selinux/config and etc/selinux/<type>/contexts/files/file_contexts).',
  });
}

function policyType(config: string): string | null {
  for (const raw of config.split('\n')) {
    const line = raw.replace(/^[ \t\v\f\r]+/, '');
    if (line.startsWith('#') || !/^SELINUXTYPE=/i.test(line)) continue;
    const value = line.slice('SELINUXTYPE='.length).replace(/[\s\x00-\x1f\x7f]+$/, '');
    return value === '' ? null : value;
  }
  return null;
}
