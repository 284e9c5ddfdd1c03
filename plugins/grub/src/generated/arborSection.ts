import type { BootDeployment } from '@arbor/core';
import { quoteGrubWord } from '../script/grubWord';

export const SECTION_BEGIN = '### BEGIN arbor ###';
export const SECTION_END = '### END arbor ###';

/** Where GRUB finds /boot's files, which decides the paths the entries name. */
export interface GrubBootLayout {
  /**
   * The prefix GRUB needs in front of a path relative to /boot: '' when /boot is its own
   * filesystem (GRUB's root is that filesystem), '/boot' when /boot is a directory of the root
   * filesystem.
   */
  bootPrefix: '' | '/boot';
  /** The filesystem UUID of what holds /boot, for `search --fs-uuid --set=root`, when known. */
  bootFsUuid?: string;
  /** Modules each entry loads first (`insmod part_gpt`, `insmod ext2` ...). */
  modules: readonly string[];
}

/** The menu entry id of the deployment at `index`; the default is always `arbor-0`. */
export function arborEntryId(index: number): string {
  return `arbor-${index}`;
}

/**
 * The section Arbor owns in a grub.cfg: one `menuentry` per deployment in boot order (the
 * default first) and `set default` naming the first by its id, so the default holds even if
 * an admin puts entries of their own above the section. Every word that is not plain is
 * single-quoted (grubWord.ts), so a title or karg cannot inject GRUB script.
 */
export function renderArborSection(deployments: readonly BootDeployment[], layout: GrubBootLayout): string {
  const lines = [
    SECTION_BEGIN,
    '# Written by Arbor (arbor:grub) on every deploy, upgrade, rollback and cleanup: one entry per',
    '# deployment, the default first. Changes inside this section are lost; the rest of the file is kept.',
  ];
  if (deployments.length > 0) lines.push(`set default=${quoteGrubWord(arborEntryId(0))}`);
  deployments.forEach((deployment, index) => {
    lines.push(`menuentry ${quoteGrubWord(deployment.title)} --class arbor --id ${quoteGrubWord(arborEntryId(index))} {`);
    for (const module of layout.modules) lines.push(`\tinsmod ${quoteGrubWord(module)}`);
    if (layout.bootFsUuid) lines.push(`\tsearch --no-floppy --fs-uuid --set=root ${quoteGrubWord(layout.bootFsUuid)}`);
    lines.push(`\tlinux ${[layout.bootPrefix + deployment.linux, ...deployment.options].map(quoteGrubWord).join(' ')}`);
    if (deployment.initrd) lines.push(`\tinitrd ${quoteGrubWord(layout.bootPrefix + deployment.initrd)}`);
    lines.push('}');
  });
  lines.push(SECTION_END);
  return lines.join('\n') + '\n';
}
