import { layerStatusFields } from './layer/layerStatus';
import type { DeploymentStatus, SysrootStatus } from './status';

/**
 * `arbor status` for people, shaped like rpm-ostree's: one block per deployment in the order
 * it will boot (a staged one first, since it becomes the default at shutdown), `●` on the
 * booted one, the origin it follows as its heading, labelled fields aligned on the colon.
 */
export function formatStatus(status: SysrootStatus): string {
  const lines: string[] = [];
  const staged = status.deployments.find((deployment) => deployment.staged);
  lines.push(`Sysroot: ${status.sysroot} (bootloader: ${status.bootloader})`);
  lines.push(`State: ${staged ? 'staged deployment waiting for finalize (at shutdown)' : 'idle'}`);
  if (status.finalizeFailure) {
    const failure = status.finalizeFailure;
    lines.push(`Warning: finalizing ${failure.stateroot}:${failure.commit.slice(0, 12)}.${failure.serial} failed at ${failure.failedAt}: ${failure.message}`);
    lines.push('         the previous default deployment stays; deploy again once the cause is fixed');
  }
  if (status.deployments.length === 0) {
    lines.push('Deployments: none yet (arbor deploy REFSPEC)');
    return `${lines.join('\n')}\n`;
  }
  lines.push('Deployments:');
  const ordered = [...status.deployments].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  // Labels align on the colon across every deployment, the longest (a layering field) included.
  const width = Math.max(14, ...ordered.flatMap((deployment) => layerStatusFields(deployment).map(([label]) => label.length)));
  for (const deployment of ordered) lines.push(...formatDeployment(deployment, width));
  return `${lines.join('\n')}\n`;
}

function formatDeployment(deployment: DeploymentStatus, width: number): string[] {
  const marker = deployment.booted ? '●' : ' ';
  const tags = [
    deployment.staged ? 'staged' : `index ${deployment.index}`,
    deployment.default ? 'default' : undefined,
    deployment.index === 1 ? 'rollback' : undefined,
    deployment.booted ? 'booted' : undefined,
    deployment.pinned ? 'pinned' : undefined,
  ].filter(Boolean);
  const fields: Array<[string, string]> = [
    ['Stateroot', deployment.stateroot],
    ['Version', deployment.version ?? '(none)'],
    ['Commit', `${deployment.commit}.${deployment.serial}`],
    ['Kernel', deployment.kernelVersion],
    ['Kargs', deployment.kargs.join(' ') || '(none)'],
    ['Path', deployment.path],
    ...layerStatusFields(deployment),
  ];
  return [
    `${marker} ${deployment.origin} (${tags.join(', ')})`,
    ...fields.map(([label, value]) => `${label.padStart(width)}: ${value}`),
  ];
}
