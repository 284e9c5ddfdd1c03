import { formatDeployResult } from '../formatDeployResult';
import type { LayerRequests } from '../../hooks';
import type { LayerChangeResult } from './changeLayers';

/** What install, uninstall and override tell people: the requests that changed, then the deploy. */
export function formatLayerChange(result: LayerChangeResult): string {
  const lines: string[] = [];
  const changes = diffRequests(result.previous, result.requests);
  if (changes.length) lines.push(`Requests: ${changes.join(', ')}`);
  const { deployed } = result;
  if (deployed.layer) {
    const { result: layer, reused } = deployed.layer;
    const counts = [`${layer.added.length} added`, `${layer.removed.length} removed`, `${layer.replaced.length} replaced`];
    lines.push(`${reused ? 'Reused the layered commit' : 'Layered'} ${deployed.commit} on base ${result.base} (${layer.layeredBy}: ${counts.join(', ')})`);
    if (layer.inactive.length) lines.push(`Inactive requests (the base already provides them): ${layer.inactive.join(', ')}`);
  } else {
    lines.push(`No requests left: deploying base ${result.base} as it is`);
  }
  lines.push(formatDeployResult(deployed));
  return lines.join('\n');
}

function diffRequests(before: LayerRequests, after: LayerRequests): string[] {
  const labels: Array<[keyof LayerRequests, string]> = [['packages', ''], ['localPackages', ''], ['removals', 'remove '], ['replacements', 'replace with ']];
  const changes: string[] = [];
  for (const [key, label] of labels) {
    for (const item of after[key]) if (!before[key].includes(item)) changes.push(`+ ${label}${item}`);
    for (const item of before[key]) if (!after[key].includes(item)) changes.push(`- ${label}${item}`);
  }
  return changes;
}
