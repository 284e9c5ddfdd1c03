import type { Arbor } from '../Arbor';
import type { HookContext } from '../HookContext';
import type { ObjectId } from '../store/ObjectId';
import type { Repo } from '../store/Repo';
import { mergeSignature } from './mergeSignature';
import { signData } from './signData';

/**
 * Adds a signature by `key` to a commit's `commitsig` object (docs/format.md): over the
 * commit's canonical bytes, which are what its ID hashes. Signing again with the same key
 * replaces that key's signature; other keys' signatures stay (co-signing during rotation).
 * Works on any commit already in the repo, so `arbor sign` can sign after the fact.
 */
export async function signCommit(
  arbor: Arbor, repo: Repo, commit: ObjectId, key: string, context: HookContext,
): Promise<{ commit: ObjectId; keyId: string; algorithm: string }> {
  const signature = await signData(arbor, { key, data: repo.readVerifiedObject(commit, 'commit'), what: `commit ${commit}` }, context);
  repo.updateCommitSignatures(commit, (entries) => mergeSignature(entries, signature));
  return { commit, keyId: signature.keyId.toString('hex'), algorithm: signature.algorithm };
}
