/**
 * The content-addressed store: the API other parts of Arbor (sysroot, pull, compose, the CLI)
 * build on. Formats are specified byte by byte in docs/format.md.
 *
 *   const repo = Repo.init('/srv/repo', { mode: 'archive' });   // or Repo.open(path)
 *   const { commit } = await commitTree(arbor, repo, { tree: '/tmp/rootfs', branch: 'os/stable', subject: 'v1' });
 *   await checkoutCommit(arbor, repo, { ref: 'os/stable', dest: '/tmp/co', strategy: 'hardlink' });
 *   repo.resolveRev('os/stable^');  repo.readCommit(id);  repo.listRefs();  repo.setRef(ref, id);
 *
 * Object reads are synchronous and verified against their IDs; operations that walk whole
 * trees (commit, checkout, fsck, prune) are async and take the repo lock.
 */
export { Repo, type InitOptions } from './Repo';
export { REPO_MODES, USER_META_XATTR, fileObjectKind, type RepoMode } from './RepoMode';
export { RepoConfig } from './RepoConfig';
export { RepoLock, type LockKind, type LockOptions } from './RepoLock';
export { RefStore } from './RefStore';
export { parseRef, refNameProblem, isValidRef, type RefLocation } from './RefName';
export { resolveRev } from './resolveRev';
export { resolveTreePath, type TreeEntry } from './resolveTreePath';

export { commitTree, type CommitTreeOptions, type CommitTreeResult } from './commitTree';
export { checkoutCommit, DEFAULT_STRATEGY, type CheckoutCommitOptions, type CheckoutCommitResult } from './checkoutCommit';
export { fsck, type FsckOptions, type FsckResult, type FsckProblem } from './fsck';
export { prune, parseDuration, type PruneOptions, type PruneResult } from './prune';
export { diffCommits, type TreeDiff } from './diffCommits';
export { listTree, type ListedEntry, type ListTreeOptions } from './listTree';
export { commitLog, type LogEntry } from './commitLog';
export { describeCommit, formatTimestamp, type CommitDescription } from './describeCommit';
export { readTreeFile } from './readTreeFile';

export { isObjectId, assertObjectId, objectRelPath, ObjectKind, ALL_KINDS, type ObjectId, type ObjectKindName } from './ObjectId';
export { encodeFileHeader, decodeFileHeader, fileMetaProblem, isSymlinkMode, S_IFMT, S_IFREG, S_IFLNK, S_IFDIR, PERMISSION_BITS, type FileMeta } from './FileHeader';
export { encodeDirTree, decodeDirTree, entryNameProblem, type DirTree, type DirTreeFile, type DirTreeDir } from './DirTree';
export { encodeDirMeta, decodeDirMeta, type DirMeta } from './DirMeta';
export { encodeCommit, decodeCommit, type Commit } from './Commit';
export { encodeCommitSignatures, decodeCommitSignatures, type SignatureEntry } from './CommitSignature';
export { canonicalJson } from './canonicalJson';
export { xattrListFromRecord, xattrListToRecord, type XattrList } from './XattrList';
export { blake3, blake3Backend, loadBlake3Backend, type Blake3Backend, type Blake3Stream } from './Blake3';
export { Codec, compressContent, decompressContent, ZstdStreamCompressor, ZstdStreamDecompressor } from './ArchiveCodec';

export { readFileMeta, readFileContent, streamFileContent, missingObject, type FileObjectRef } from './FileObject';
export { writeFileObject, type FileObjectSource } from './FileObjectWriter';
export { ObjectIndex } from './ObjectIndex';
export { ObjectStaging } from './ObjectStaging';
export { osPath, bytePathFromOs, displayPath, joinBytePath } from './BytePath';
export { CanonicalWriter } from './CanonicalWriter';
export { CanonicalReader } from './CanonicalReader';
export { findStaleStaging, removeStaleStaging, STALE_AFTER_SECONDS, type StaleStaging } from './StaleStaging';
