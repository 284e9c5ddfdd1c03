import fs from 'node:fs';
import { silentLogger, type Logger } from '@arbor/core';
import { InstallTree, treeRelativePath } from './InstallTree';
import { PlacementPlan } from './PlacementPlan';
import { RpmErrorCode, rpmError } from './RpmError';
import { fileTypeName, isGhost, readFileList, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type RpmFile } from './RpmFileList';
import { installedPath, RpmInstallState } from './RpmInstallState';
import { readScripts, readTriggers, type RpmScripts, type RpmTrigger } from './RpmScripts';
import { StagingTree } from './StagingTree';
import { stagePayload, type ResolvedOwner } from './stagePayload';
import { TreeAccounts } from './TreeAccounts';
import { formatNevra, isSourcePackage, readNevra, type RpmNevra } from './RpmNevra';
import { openRpm } from './readRpmHeaders';

export interface InstallOptions {
  /** The tree to install into (a compose's staging root); it must exist. */
  tree: string;
  /** What earlier packages installed into the same tree; a fresh one when omitted. */
  state?: RpmInstallState;
  logger?: Logger;
  /** Where the tree keeps passwd and group for owner names: `etc` (default), or `usr/etc` in commit layout. */
  accountsDir?: string;
}

/** A package that was installed, with what the compose step still has to do for it. */
export interface InstalledPackage extends RpmNevra {
  nevra: string;
  /** Scriptlets, which compose runs (rpm-ostree style) after every package is unpacked. */
  scripts: RpmScripts;
  triggers: RpmTrigger[];
  /** Entries written or updated in the tree. */
  placed: number;
  /** Entries identical to what an earlier package installed, left alone (as rpm skips them). */
  same: number;
  /** Owners the tree does not know yet (installed as root, setuid/setgid dropped), etc. */
  warnings: string[];
}

/**
 * Installs one binary RPM's files into a tree exactly as `rpm --root TREE -i --noscripts`
 * would: modes, owners (resolved in the tree's own passwd and group), symlinks, hardlink sets,
 * mtimes and file capabilities; %ghost files are not created, and parent directories no
 * package lists are made 0755 root:root.
 *
 * Nothing is written to the tree until the whole package has proved good. The payload is
 * unpacked into a staging tree beside the tree (same filesystem, so placing is renaming: a
 * new directory moves in whole), every digest is checked on the way, and every placement is
 * checked against the tree and the earlier packages first. Any failure before placing leaves
 * the tree untouched.
 */
export async function installPackage(packageFile: string, options: InstallOptions): Promise<InstalledPackage> {
  const state = options.state ?? new RpmInstallState();
  const logger = options.logger ?? silentLogger;
  const rpm = await openRpm(packageFile);
  let staging: StagingTree | undefined;
  try {
    const { header } = rpm;
    const fail = (message: string) => rpmError(RpmErrorCode.HEADER_INVALID, packageFile, message);
    if (isSourcePackage(header)) throw rpmError(RpmErrorCode.UNSUPPORTED, packageFile, 'is a source package; only binary packages install into a tree');
    const nevra = readNevra(header);
    const nevraText = formatNevra(nevra);
    const fileList = readFileList(header, fail);
    const tree = new InstallTree(treeRoot(options.tree, packageFile), packageFile);
    const accounts = TreeAccounts.read(tree, options.accountsDir);
    const warnings = new Set<string>();
    const owners = fileList.files.map((file) => resolveOwner(file, accounts, warnings));
    const plan = new PlacementPlan(tree, state, nevraText, packageFile);
    const seen = new Set<string>();
    const relatives = fileList.files.map((file) => checkedPath(file, packageFile));
    for (const file of fileList.files) {
      const relative = relatives[file.index]!;
      if (seen.has(relative)) throw fail(`lists ${file.path} twice`);
      seen.add(relative);
      const ghost = isGhost(file);
      if (!ghost) checkFileType(file, packageFile);
      plan.add(file, relative, owners[file.index]!, installedPath(file, nevraText, fileList.digestAlgorithm, ghost));
    }
    plan.decide();
    staging = StagingTree.create(tree.root);
    await stagePayload({ rpm, fileList, owners, relatives, staging, packageFile });
    const { placed, same } = plan.apply(staging);
    state.packages.push(nevraText);
    for (const warning of warnings) logger.warn(`${nevraText}: ${warning}`);
    return { ...nevra, nevra: nevraText, scripts: readScripts(header), triggers: readTriggers(header), placed, same, warnings: [...warnings] };
  } finally {
    rpm.close();
    staging?.remove();
  }
}

/**
 * Owner names as the tree knows them. Like rpm (rpmfilesStat), an unknown user becomes root
 * and loses the setuid bit, an unknown group becomes root and loses the setgid bit.
 */
function resolveOwner(file: RpmFile, accounts: TreeAccounts, warnings: Set<string>): ResolvedOwner {
  let mode = file.mode;
  let uid = accounts.uid(file.user);
  let gid = accounts.gid(file.group);
  if (uid === undefined && !isGhost(file)) {
    warnings.add(`user ${file.user} does not exist in the tree - using root`);
    mode &= ~0o4000;
  }
  if (gid === undefined && !isGhost(file)) {
    warnings.add(`group ${file.group} does not exist in the tree - using root`);
    mode &= ~0o2000;
  }
  uid ??= 0;
  gid ??= 0;
  return { uid, gid, mode };
}

function checkedPath(file: RpmFile, packageFile: string): string {
  const relative = treeRelativePath(file.path);
  if (relative === undefined) {
    throw rpmError(RpmErrorCode.PATH_UNSAFE, packageFile, `refusing file path "${file.path}": it is not absolute and canonical (no "..", ".", or empty parts)`);
  }
  if (file.path.includes('\uFFFD')) {
    throw rpmError(RpmErrorCode.UNSUPPORTED, packageFile, `file path "${file.path}" is not valid UTF-8`);
  }
  return relative;
}

/** The store holds regular files, directories and symlinks only (docs/format.md). */
function checkFileType(file: RpmFile, packageFile: string): void {
  const type = file.mode & S_IFMT;
  if (type === S_IFREG || type === S_IFDIR || type === S_IFLNK) return;
  throw rpmError(RpmErrorCode.SPECIAL_FILE, packageFile, `${file.path} is a ${fileTypeName(file.mode)}; Arbor trees hold no device nodes, fifos or sockets`, {
    hint: 'Device nodes come from devtmpfs at boot; the package can ship it as %ghost or be excluded',
  });
}

function treeRoot(tree: string, packageFile: string): string {
  try {
    const root = fs.realpathSync(tree);
    if (fs.statSync(root).isDirectory()) return root;
  } catch {
    // reported below
  }
  throw rpmError(RpmErrorCode.PATH_UNSAFE, packageFile, `cannot install into ${tree}: it is not a directory`);
}
