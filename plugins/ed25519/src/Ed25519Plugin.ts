import type { KeyObject } from 'node:crypto';
import { ArborError, definePlugin, ErrorCode, type VerifyRequest } from '@arbor/core';
import { ED25519, parsePublicKey, readPrivateKey, sign, verifySignature } from './Ed25519Key';

export const PLUGIN_NAME = 'arbor:ed25519';

/**
 * Ed25519 signatures, both ends. Signing: `--sign-key FILE` with an ed25519 PEM key (as
 * `arbor key generate` writes) signs commits and summaries through the `sign` hook.
 * Verification: the policy for remotes with ed25519 keys: the commit (before any of its tree is
 * fetched) and the summary must carry a valid signature by one of the remote's keys. A remote
 * added with `--no-verify`, or whose keys are of another scheme, is not this plugin's to judge;
 * pull itself warns about unverified remotes and refuses content no verifier vouched for.
 */
export const ed25519Plugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.sign.for(ED25519).tapPromise(PLUGIN_NAME, async (request) => sign(request.data, readPrivateKey(request.key)));
    arbor.hooks.verify.tapPromise(PLUGIN_NAME, async (vouchedBy, request) => {
      if (request.policy.noVerify) return vouchedBy;
      const keys = request.policy.keys
        .filter((key) => key.type === ED25519)
        .map((key, index) => parsePublicKey(key.key, `key ${index + 1} of ${request.source}`));
      if (keys.length === 0) return vouchedBy;
      checkSignatures(request, keys);
      return [...vouchedBy, PLUGIN_NAME];
    });
  },
});

function checkSignatures(request: VerifyRequest, keys: KeyObject[]): void {
  const what = request.kind === 'commit' ? `commit ${request.commitId}` : 'summary';
  const candidates = request.signatures.filter((signature) => signature.algorithm === ED25519);
  if (candidates.length === 0) {
    throw new ArborError(ErrorCode.VERIFY_UNSIGNED, `${what} from ${request.source} has no ed25519 signature`, {
      hint: request.kind === 'commit'
        ? `Sign it where it was made (arbor sign ${request.commitId?.slice(0, 12)} --sign-key KEYFILE), or stop requiring signatures from it`
        : 'Sign the summary where it is served (arbor summary --sign-key KEYFILE), or stop requiring signatures from it',
    });
  }
  const valid = candidates.some((signature) => keys.some((key) => verifySignature(request.data, signature, key)));
  if (!valid) {
    const signers = [...new Set(candidates.map((signature) => signature.keyId.toString('hex').slice(0, 16)))].join(', ');
    throw new ArborError(ErrorCode.VERIFY_BAD_SIGNATURE, `${what} from ${request.source} has no valid signature by a trusted key (signed by ${signers})`, {
      hint: 'The content was altered, or signed by a key not trusted for it',
    });
  }
}
