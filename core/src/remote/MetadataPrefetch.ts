import type { ObjectId } from '../store/ObjectId';
import type { RemoteRepo } from './RemoteRepo';

export type MetadataKind = 'dirtree' | 'dirmeta';

/**
 * The dirtrees and dirmetas a commit's size index says the repo lacks, requested all at once
 * when the pull starts. The tree walk still visits, checks and stages every one of them, in its
 * own order, but finds each already on its way: it no longer waits a round trip per level of
 * the tree, which was most of an incremental pull (docs/performance.md). Each body is checked
 * against its ID as it arrives (RemoteRepo.metadataObject), like any other.
 */
export class MetadataPrefetch {
  private readonly requests = new Map<string, Promise<Buffer>>();

  constructor(private readonly remote: RemoteRepo) {}

  /** Starts the request; the transport's limiter decides when it goes out. */
  add(id: ObjectId, kind: MetadataKind, size: number): void {
    const request = this.remote.metadataObject(id, kind, size);
    // A failure is thrown by `take`, to the walk; a request the walk never takes stays quiet.
    request.catch(() => undefined);
    this.requests.set(`${id}.${kind}`, request);
  }

  /** The request for this object, handed out once; undefined when none was made. */
  take(id: ObjectId, kind: MetadataKind): Promise<Buffer> | undefined {
    const key = `${id}.${kind}`;
    const request = this.requests.get(key);
    if (request) this.requests.delete(key);
    return request;
  }
}
