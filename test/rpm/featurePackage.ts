import type { PackageSpec } from './buildRpm';

/** Users and groups the test trees know; `nosuchuser` and `nosuchgroup` are deliberately absent. */
export const TREE_USERS: Array<[string, number]> = [['root', 0], ['alice', 1500]];
export const TREE_GROUPS: Array<[string, number]> = [['root', 0], ['wheel', 10], ['alice', 1500]];

/**
 * A package with every file attribute the installer must get right, in the payload
 * compression given: symlinks (relative and absolute), a hardlink set of three, setuid and
 * setgid files with known and unknown owners, a 1777 directory, %config(noreplace), %ghost,
 * %caps, names with spaces and UTF-8, an empty file, an empty directory, and a file whose
 * parent directories no package lists.
 */
export function featurePackage(payload: string): PackageSpec {
  return {
    name: 'arbor-features',
    payload,
    scripts: { pre: 'echo pre "$1"', post: 'echo post "$1"', postun: 'echo postun' },
    entries: [
      { path: '/opt/arbor', kind: 'dir' },
      { path: '/opt/arbor/plain.txt', content: 'hello\n' },
      { path: '/opt/arbor/empty', content: '' },
      { path: '/opt/arbor/link', kind: 'symlink', content: 'plain.txt' },
      { path: '/opt/arbor/absolute-link', kind: 'symlink', content: '/etc/passwd' },
      { path: '/opt/arbor/hard1', content: 'shared content\n' },
      { path: '/opt/arbor/hard2', kind: 'hardlink', content: '/opt/arbor/hard1' },
      { path: '/opt/arbor/hard3', kind: 'hardlink', content: '/opt/arbor/hard1' },
      { path: '/opt/arbor/setuid', content: '#!/bin/sh\n', attr: ['4755', 'root', 'root'] },
      { path: '/opt/arbor/setuid-unknown-user', content: '#!/bin/sh\n', attr: ['4755', 'nosuchuser', 'wheel'] },
      { path: '/opt/arbor/setgid-unknown-group', content: '#!/bin/sh\n', attr: ['2755', 'alice', 'nosuchgroup'] },
      { path: '/opt/arbor/alice.conf', content: 'owner=alice\n', attr: ['0640', 'alice', 'alice'] },
      { path: '/opt/arbor/tmp', kind: 'dir', attr: ['1777', 'root', 'root'] },
      { path: '/opt/arbor/settings.conf', content: 'setting=1\n', directives: '%config(noreplace)' },
      { path: '/opt/arbor/state.log', directives: '%ghost', attr: ['0644', 'root', 'root'] },
      { path: '/opt/arbor/ping', content: '\x7fELF not really\n', attr: ['0755', 'root', 'root'], directives: '%caps(cap_net_raw,cap_net_admin=ep)' },
      { path: '/opt/arbor/with space/file name.txt', content: 'spaces\n' },
      { path: '/opt/arbor/ünïcødé/日本語.txt', content: 'utf-8\n' },
      { path: '/opt/arbor/emptydir', kind: 'dir', attr: ['0700', 'alice', 'alice'] },
      { path: '/opt/arbor-unlisted/deep/nested/file', content: 'parents not listed\n' },
    ],
  };
}
