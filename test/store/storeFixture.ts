import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, setXattr } from '@arbor/core';
import storagePlugin from '@arbor/plugin-storage';

/** An Arbor with the storage plugin, as the default preset builds it. */
export function storeArbor(): Arbor {
  return new Arbor().use(storagePlugin());
}

/** Deterministic pseudo-random bytes (an AES-CTR keystream keyed by `seed`), so every run commits the same tree. */
export function bytes(size: number, seed: string): Buffer {
  const key = crypto.createHash('sha256').update(seed).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

const CAPABILITY_NET_RAW = Buffer.from('0100000200200000000000000000000000000000', 'hex');

/**
 * A tree with every file kind and metadata case root can make: owners, setuid/setgid/sticky,
 * mode 0000, hardlink groups, relative/absolute/dangling symlinks (one labelled and chowned),
 * empty files, xattrs in user.*, trusted.* and security.*, non-UTF-8 names, a read-only
 * directory, files on both sides of the 1 MiB small-file threshold and a 50 MB file.
 * Files that are not hardlinks of each other all differ, so hardlink groups are comparable.
 */
export function buildRichTree(root: string, options: { bigFile?: boolean } = {}): void {
  const at = (...parts: string[]): string => path.join(root, ...parts);
  const raw = (relative: Buffer): Buffer => Buffer.concat([Buffer.from(`${root}/`), relative]);
  fs.mkdirSync(root, { recursive: true });
  for (const dir of ['usr/bin', 'usr/lib/x', 'etc/ssl', 'tmp', 'srv/shared', 'var/ro', 'opt/owned']) fs.mkdirSync(at(dir), { recursive: true });
  fs.chmodSync(at('tmp'), 0o1777);
  fs.chmodSync(at('srv/shared'), 0o2775);
  fs.chownSync(at('opt/owned'), 1234, 5678);
  fs.chmodSync(at('opt/owned'), 0o700);
  setXattr(at('etc/ssl'), 'user.dir-note', Buffer.from('directory xattr'));
  setXattr(at('etc/ssl'), 'security.selinux', Buffer.from('system_u:object_r:cert_t:s0\0'));

  fs.writeFileSync(at('empty'), '');
  fs.writeFileSync(at('etc/hostname'), 'arbor\n');
  fs.writeFileSync(at('usr/lib/x/binary'), bytes(7777, 'binary'));
  fs.writeFileSync(at('usr/lib/x/exactly-1MiB'), bytes(1 << 20, 'mib'));
  fs.writeFileSync(at('usr/lib/x/1MiB-plus-1'), bytes((1 << 20) + 1, 'mib+1'));
  if (options.bigFile !== false) fs.writeFileSync(at('usr/lib/x/big-50MB'), bytes(50 * 1000 * 1000, 'big'));

  fs.writeFileSync(at('usr/bin/setuid'), bytes(300, 'setuid'));
  fs.chmodSync(at('usr/bin/setuid'), 0o4755);
  fs.writeFileSync(at('usr/bin/setgid'), bytes(301, 'setgid'));
  fs.chownSync(at('usr/bin/setgid'), 0, 5);
  fs.chmodSync(at('usr/bin/setgid'), 0o2755);
  fs.writeFileSync(at('usr/bin/ping'), bytes(302, 'ping'));
  fs.chmodSync(at('usr/bin/ping'), 0o755);
  setXattr(at('usr/bin/ping'), 'security.capability', CAPABILITY_NET_RAW);
  setXattr(at('usr/bin/ping'), 'security.selinux', Buffer.from('system_u:object_r:ping_exec_t:s0\0'));

  fs.writeFileSync(at('etc/shadow'), 'root:*:19000::::::\n');
  fs.chmodSync(at('etc/shadow'), 0o000);
  fs.writeFileSync(at('opt/owned/data'), 'owned by 1001:1002\n');
  fs.chownSync(at('opt/owned/data'), 1001, 1002);
  fs.chmodSync(at('opt/owned/data'), 0o640);
  fs.writeFileSync(at('etc/xattrs'), 'many xattrs\n');
  setXattr(at('etc/xattrs'), 'user.text', Buffer.from('hello'));
  setXattr(at('etc/xattrs'), 'user.binary', Buffer.from([0, 1, 2, 255, 254, 0]));
  setXattr(at('etc/xattrs'), 'user.empty', Buffer.alloc(0));
  setXattr(at('etc/xattrs'), 'user.big', bytes(3000, 'xattr'));
  setXattr(at('etc/xattrs'), 'trusted.arbor', Buffer.from('trusted value'));

  // A hardlink group across directories, carrying an xattr, and a pair in one directory.
  fs.writeFileSync(at('usr/lib/x/linked'), 'one inode, three names\n');
  setXattr(at('usr/lib/x/linked'), 'user.group', Buffer.from('shared'));
  fs.linkSync(at('usr/lib/x/linked'), at('usr/bin/linked-too'));
  fs.linkSync(at('usr/lib/x/linked'), at('etc/linked-three'));
  fs.writeFileSync(at('srv/shared/pair-a'), 'pair\n');
  fs.linkSync(at('srv/shared/pair-a'), at('srv/shared/pair-b'));

  fs.symlinkSync('../lib/x/binary', at('usr/bin/relative-link'));
  fs.symlinkSync('/etc/hostname', at('usr/bin/absolute-link'));
  fs.symlinkSync('does/not/exist', at('usr/bin/dangling-link'));
  fs.symlinkSync('usr/lib', at('lib'));
  fs.symlinkSync('hostname', at('etc/labelled-link'));
  setXattr(at('etc/labelled-link'), 'security.selinux', Buffer.from('system_u:object_r:etc_t:s0\0'));
  fs.lchownSync(at('etc/labelled-link'), 1234, 1234);

  // Names that are not UTF-8: Latin-1 "café" and a directory named 0xff 0xfe.
  fs.writeFileSync(raw(Buffer.from('caf\xe9', 'latin1')), 'latin-1 name\n');
  fs.mkdirSync(raw(Buffer.from('\xff\xfe', 'latin1')));
  fs.writeFileSync(raw(Buffer.from('\xff\xfe/inner \n newline', 'latin1')), 'in a non-UTF-8 directory\n');

  fs.writeFileSync(at('var/ro/file'), 'in a read-only directory\n');
  fs.chmodSync(at('var/ro'), 0o555);
}

/**
 * What the outside world sees of a tree, from find(1), sha256sum(1) and getfattr(1) (never from
 * Arbor's own reader): for each path its type, mode, owner, size, symlink target and content
 * hash, every xattr, and the hardlink groups (paths sharing an inode). Directory sizes and all
 * times are left out.
 */
export function describeTree(root: string): { entries: string[]; xattrs: string; hardlinkGroups: string[][] } {
  const find = execFileSync('find', [root, '-printf', '%P\\0%y\\0%m\\0%U\\0%G\\0%s\\0%l\\0%i\\0'], { maxBuffer: 1 << 28 });
  const fields = find.toString('latin1').split('\0');
  fields.pop();
  const byInode = new Map<string, string[]>();
  const entries: string[] = [];
  for (let index = 0; index + 8 <= fields.length; index += 8) {
    const [rel, type, mode, uid, gid, size, target, inode] = fields.slice(index, index + 8) as string[];
    entries.push([rel, type, mode, uid, gid, type === 'd' ? '-' : size, target].join('|'));
    if (type !== 'd') byInode.set(inode!, [...(byInode.get(inode!) ?? []), rel!]);
  }
  const sums = execFileSync('sh', ['-c', 'cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum', 'sh', root], { maxBuffer: 1 << 28 });
  entries.push(...sums.toString('latin1').split('\n').filter(Boolean));
  entries.sort();
  const xattrs = execFileSync('sh', ['-c', 'cd "$1" && getfattr -R -P -h -d -m - -e hex . 2>/dev/null', 'sh', root], { maxBuffer: 1 << 28 })
    .toString('latin1')
    .split('\n\n')
    .filter(Boolean)
    .sort()
    .join('\n\n');
  const hardlinkGroups = [...byInode.values()].filter((group) => group.length > 1).map((group) => group.sort()).sort();
  return { entries, xattrs, hardlinkGroups };
}

/**
 * Removes a tree even where read-only directories would stop rm. Only directories are made
 * writable: files of a hardlink checkout share inodes with the repo's objects.
 */
export function removeTree(root: string): void {
  if (!fs.existsSync(root)) return;
  execFileSync('find', [root, '-type', 'd', '-exec', 'chmod', 'u+rwx', '{}', '+']);
  fs.rmSync(root, { recursive: true, force: true });
}
