import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import type { Signature, Transport, VerifyRequest } from '../hooks';
import { blake3 } from '../store/Blake3';
import { decodeCommit, type Commit } from '../store/Commit';
import { decodeCommitSignatures } from '../store/CommitSignature';
import { isObjectId, objectRelPath, type ObjectId, type ObjectKindName } from '../store/ObjectId';
import type { Remote } from './RemoteConfig';
import { SizeIndex, sizeIndexPath } from './SizeIndex';
import { decodeSummary, SUMMARY_FILE, SUMMARY_SIGNATURE_FILE, type Summary } from './Summary';

/**
 * Limits for bodies whose exact size is not known in advance. They bound memory against a
 * hostile server; the size index, when the summary has one, replaces them with exact sizes.
 */
export const DEFAULT_LIMITS: Readonly<Record<ObjectKindName | 'summary' | 'signature' | 'sizes' | 'ref', number>> = {
  summary: 64 << 20,
  signature: 1 << 20,
  sizes: 256 << 20,
  ref: 1024,
  commit: 64 << 20,
  commitsig: 1 << 20,
  dirtree: 64 << 20,
  dirmeta: 4 << 20,
  file: 64 * 2 ** 30,
  filez: 64 * 2 ** 30,
};

/** A commit as fetched and vouched for: its bytes (stored as they are) and its signatures. */
export interface FetchedCommit {
  id: ObjectId;
  bytes: Buffer;
  commit: Commit;
  /** The commitsig object as served, or undefined when the remote has none. */
  signatureBytes?: Buffer;
}

/**
 * A remote archive repo seen through a transport: every object it hands out is checked
 * against its ID, the summary and commits pass the `verify` hook before anything uses them,
 * and a remote with keys whose content no verifier vouched for is refused (fail closed).
 */
export class RemoteRepo {
  private summaryCache?: Summary | null;
  /** The summary, its signatures and the size index exactly as served (a mirror re-serves them). */
  summaryBytes?: Buffer;
  summarySignatureBytes?: Buffer;
  sizeIndexBytes?: Buffer;

  constructor(
    readonly remote: Remote,
    readonly transport: Transport,
    private readonly arbor: Arbor,
    private readonly context: HookContext,
  ) {}

  get source(): string {
    return this.remote.description ?? `remote ${this.remote.name}`;
  }

  /** The verified summary, or null when the remote has none (then refs are read directly). */
  async summary(): Promise<Summary | null> {
    if (this.summaryCache !== undefined) return this.summaryCache;
    // Both at once: one round trip less before anything else can start.
    const [bytes, signatureBytes] = await Promise.all([
      this.optional(SUMMARY_FILE, DEFAULT_LIMITS.summary),
      this.optional(SUMMARY_SIGNATURE_FILE, DEFAULT_LIMITS.signature),
    ]);
    if (!bytes) return (this.summaryCache = null);
    const signatures = signatureBytes ? this.decodeSignatures(signatureBytes, `${SUMMARY_SIGNATURE_FILE} of ${this.source}`) : [];
    await this.verify({ kind: 'summary', data: bytes, signatures });
    this.summaryCache = decodeSummary(bytes, `${this.source} (${this.remote.url})`);
    this.summaryBytes = bytes;
    this.summarySignatureBytes = signatureBytes;
    return this.summaryCache;
  }

  /** REF (a branch in the summary or under refs/heads, or a full commit ID) to its commit. */
  async resolve(ref: string): Promise<{ commit: ObjectId; sizes?: ObjectId }> {
    if (isObjectId(ref)) return { commit: ref };
    const summary = await this.summary();
    if (summary) {
      const entry = summary.refs[ref];
      if (!entry) {
        const known = Object.keys(summary.refs);
        throw new ArborError(ErrorCode.PULL_REF_NOT_FOUND, `Ref ${ref} is not in the summary of ${this.source}`, {
          hint: known.length ? `It has: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}` : 'Its summary lists no refs; run `arbor summary` on the server',
        });
      }
      return { commit: entry.commit, sizes: entry.sizes };
    }
    const text = await this.optional(`refs/heads/${ref}`, DEFAULT_LIMITS.ref);
    const commit = text?.toString('latin1').trim();
    if (!commit) throw new ArborError(ErrorCode.PULL_REF_NOT_FOUND, `${this.source} has no summary and no ref ${ref}`);
    if (!isObjectId(commit)) throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, `Ref ${ref} on ${this.source} does not hold a commit ID`);
    return { commit };
  }

  /** The commit's size index, checked against the BLAKE3 the signed summary gives for it. */
  async sizeIndex(commit: ObjectId, expected: ObjectId): Promise<SizeIndex> {
    const bytes = await this.transport.get(sizeIndexPath(commit), { maxBytes: DEFAULT_LIMITS.sizes, signal: this.context.signal });
    this.checkId(bytes, expected, `Size index of commit ${commit}`);
    this.sizeIndexBytes = bytes;
    try {
      return new SizeIndex(bytes, `Size index of commit ${commit} from ${this.source}`);
    } catch (error) {
      throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, (error as Error).message, { cause: error });
    }
  }

  /** Fetches a commit and its signatures and runs `verify`, before any of its tree is fetched. */
  async commit(id: ObjectId, maxBytes = DEFAULT_LIMITS.commit): Promise<FetchedCommit> {
    const [bytes, signatureBytes] = await Promise.all([
      this.metadataObject(id, 'commit', maxBytes),
      this.optional(objectRelPath(id, 'commitsig'), DEFAULT_LIMITS.commitsig),
    ]);
    const signatures = signatureBytes ? this.decodeSignatures(signatureBytes, `Signatures of commit ${id}`) : [];
    await this.verify({ kind: 'commit', commitId: id, data: bytes, signatures });
    let commit: Commit;
    try {
      commit = decodeCommit(bytes, `Commit ${id} from ${this.source}`);
    } catch (error) {
      throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, (error as Error).message, { cause: error });
    }
    return { id, bytes, commit, signatureBytes };
  }

  /** A dirtree, dirmeta or commit, checked against its ID as soon as it arrives. */
  async metadataObject(id: ObjectId, kind: 'dirtree' | 'dirmeta' | 'commit', maxBytes: number): Promise<Buffer> {
    const bytes = await this.transport.get(objectRelPath(id, kind), { maxBytes, signal: this.context.signal });
    this.checkId(bytes, id, `Object ${id}.${kind}`);
    return bytes;
  }

  private checkId(bytes: Buffer, id: ObjectId, what: string): void {
    const actual = blake3(bytes).toString('hex');
    if (actual !== id) {
      throw new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, `${what} from ${this.source} does not match its ID: its bytes hash to ${actual}`, {
        hint: 'It was damaged or forged at the source; nothing of it was stored',
      });
    }
  }

  private decodeSignatures(bytes: Buffer, what: string): Signature[] {
    try {
      return decodeCommitSignatures(bytes, what);
    } catch (error) {
      throw new ArborError(ErrorCode.VERIFY_BAD_SIGNATURE, (error as Error).message, { cause: error });
    }
  }

  private async verify(fields: Pick<VerifyRequest, 'kind' | 'data' | 'signatures' | 'commitId'>): Promise<void> {
    const request: VerifyRequest = {
      remote: this.remote.name,
      source: this.source,
      policy: { noVerify: this.remote.noVerify, keys: this.remote.keys },
      ...fields,
    };
    const vouchedBy = await this.arbor.hooks.verify.promise([], request, this.context);
    if (!this.remote.noVerify && vouchedBy.length === 0) {
      const what = fields.kind === 'commit' ? `commit ${fields.commitId}` : 'the summary';
      throw new ArborError(ErrorCode.VERIFY_NO_VERIFIER, `No verifier vouched for ${what} from ${this.source}, which requires signatures`, {
        hint: 'Add the plugin for its key type (ed25519) to the config, or stop requiring signatures from it',
      });
    }
  }

  /** A path the remote may lack: its absence is undefined, any other failure still throws. */
  private async optional(relPath: string, maxBytes: number): Promise<Buffer | undefined> {
    try {
      return await this.transport.get(relPath, { maxBytes, signal: this.context.signal });
    } catch (error) {
      if ((error as ArborError).code === ErrorCode.REMOTE_NOT_FOUND) return undefined;
      throw error;
    }
  }
}
