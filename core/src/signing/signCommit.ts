import type { ObjectId } from '../store/ObjectId';
import type { Repo } from '../store/Repo';
import { mergeSignature, readPrivateKey, sign } from './Ed25519Key';

/**
 * Adds an ed25519 signature by KEYFILE to a commit's `commitsig` object (docs/format.md): over
 * the commit's canonical bytes, which are what its ID hashes. Signing again with the same key
 * replaces that key's signature; other keys' signatures stay (co-signing during rotation).
 */
export function signCommit(repo: Repo, commit: ObjectId, keyFile: string): { commit: ObjectId; keyId: string } {
  const key = readPrivateKey(keyFile);
  const signature = sign(repo.readVerifiedObject(commit, 'commit'), key);
  repo.updateCommitSignatures(commit, (entries) => mergeSignature(entries, signature));
  return { commit, keyId: signature.keyId.toString('hex') };
}
