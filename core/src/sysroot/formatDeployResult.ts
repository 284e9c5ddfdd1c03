import type { EtcMergePlan } from '../hooks';
import type { DeployResult } from './deploy';
import { deploymentId } from './Deployment';

/** What `arbor deploy` (and `upgrade`) tell people: what became of it, and the /etc merge report. */
export function formatDeployResult(result: DeployResult): string {
  const name = `${result.stateroot}:${deploymentId(result)}`;
  const lines = [
    result.staged
      ? `Staged ${name}; it becomes the default at shutdown (arbor finalize)`
      : `Deployed ${name} as the default (index 0)`,
  ];
  if (result.overrideCommit) lines.push(`Pinned commit ${result.overrideCommit}; the origin still follows ${result.refspec}, and upgrade moves on from it`);
  for (const retired of result.retired ?? []) lines.push(`Removed old deployment ${retired.stateroot}:${deploymentId(retired)}`);
  if (result.seededVar) lines.push(`Seeded /var of stateroot ${result.stateroot} from the commit`);
  if (result.etc && result.mergedFrom) lines.push(...formatEtcMerge(result.etc, `${result.mergedFrom.stateroot}:${deploymentId(result.mergedFrom)}`));
  else if (result.staged) lines.push('/etc will be merged at finalize');
  return lines.join('\n');
}

export function formatEtcMerge(plan: EtcMergePlan, from: string): string[] {
  const lines = [`Merged /etc from ${from}: ${plan.modified.length} modified, ${plan.added.length} added, ${plan.removed.length} removed`];
  for (const file of plan.conflicts) lines.push(`  conflict: /etc/${file} (kept yours; the default changed too)`);
  for (const file of plan.defaultRemoved ?? []) lines.push(`  kept: /etc/${file} (yours; the new commit no longer ships a default for it)`);
  for (const file of plan.skipped) lines.push(`  skipped: /etc/${file} (not a regular file, directory or symlink)`);
  return lines;
}
