import type { Arbor } from '../Arbor';
import type { HookContext } from '../HookContext';
import { pull } from '../remote/pull';
import { isValidRef, parseRef } from '../store/RefName';
import type { Repo } from '../store/Repo';

export type PullOutcome = 'pulled' | 'local';

/**
 * The one place upgrade touches replication: brings the origin's ref up to date before it is
 * resolved. A `REMOTE:REF` origin is pulled (verified by the remote's policy) into
 * `refs/remotes/<remote>/<ref>`, which is what the refspec then resolves to. A local ref or a
 * commit ID has nothing to pull.
 */
export async function pullOrigin(options: { repo: Repo; arbor: Arbor; context: HookContext; refspec: string }): Promise<PullOutcome> {
  if (!isValidRef(options.refspec)) return 'local';
  const { remote, name } = parseRef(options.refspec);
  if (remote === undefined) return 'local';
  await pull(options.repo, remote, name, { arbor: options.arbor, context: options.context });
  return 'pulled';
}
