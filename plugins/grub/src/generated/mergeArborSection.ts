import { ArborError } from '@arbor/core';
import { GrubErrorCode } from '../GrubErrorCode';
import { parseGrubScript } from '../script/parseGrubScript';
import { printGrubScript, type GrubItem, type GrubScript } from '../script/GrubScript';
import { grubWordValue } from '../script/grubWord';
import { SECTION_BEGIN, SECTION_END } from './arborSection';

/** The start of a new grub.cfg, outside the section, so an admin may edit it. */
export function newGrubConfigHead(timeout: number): string {
  return [
    '# grub.cfg written by Arbor (arbor:grub). Arbor rewrites only the section between the',
    `# "${SECTION_BEGIN}" and "${SECTION_END}" lines; everything else here is kept as written.`,
    `set timeout=${timeout}`,
    '',
  ].join('\n');
}

/**
 * The new grub.cfg: `existing` with its Arbor section replaced by `section`, every other byte
 * kept (custom entries, grub-mkconfig's blocks, comments). Without a section yet, ours goes
 * before the first top-level `menuentry` or `submenu` (and before the `### BEGIN` comment of
 * the grub.d block holding it), so our entries come first in the menu; with no entries at
 * all, at the end. Without a file, a minimal one.
 */
export function mergeArborSection(existing: string | undefined, section: string, options: { source: string; timeout: number }): string {
  if (existing === undefined) return newGrubConfigHead(options.timeout) + section;
  const script = parseGrubScript(existing, options.source);
  const begins = topLevelComments(script, SECTION_BEGIN);
  const ends = topLevelComments(script, SECTION_END);
  if (begins.length > 1 || ends.length > 1 || begins.length !== ends.length || (begins[0] ?? 0) > (ends[0] ?? 0)) {
    throw new ArborError(GrubErrorCode.CONFIG_SECTION, `${options.source} has ${begins.length} "${SECTION_BEGIN}" and ${ends.length} "${SECTION_END}" lines at its top level, not one pair in order`, {
      hint: 'Remove the broken Arbor section by hand (or both marker lines); Arbor then writes a fresh one',
    });
  }
  if (begins.length === 1) {
    const withoutNewline = section.endsWith('\n') ? section.slice(0, -1) : section;
    return printGrubScript(script.slice(0, begins[0])) + withoutNewline + printGrubScript(script.slice(ends[0]! + 1));
  }
  const at = insertionPoint(script);
  const before = printGrubScript(script.slice(0, at));
  const after = printGrubScript(script.slice(at));
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  return before + separator + section + (after === '' ? '' : '\n') + after;
}

function topLevelComments(script: GrubScript, text: string): number[] {
  return script.flatMap((item, index) => (item.type === 'comment' && item.text.trim() === text ? [index] : []));
}

function isMenuCommand(item: GrubItem): boolean {
  if (item.type !== 'command' || !item.block) return false;
  const name = grubWordValue(item.words[0]!);
  return name === 'menuentry' || name === 'submenu';
}

function insertionPoint(script: GrubScript): number {
  const first = script.findIndex(isMenuCommand);
  if (first < 0) return script.length;
  let at = first;
  for (let i = first - 1; i >= 0; i--) {
    const item = script[i]!;
    if (item.type === 'gap') continue;
    if (item.type === 'comment' && /^### BEGIN .* ###$/.test(item.text.trim())) at = i;
    break;
  }
  return at;
}
