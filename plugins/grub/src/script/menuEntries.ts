import type { GrubCommand, GrubScript } from './GrubScript';
import { walkGrubCommands } from './GrubScript';
import { grubWordValue } from './grubWord';

/** One `menuentry` as the GRUB menu would show it. */
export interface GrubMenuEntry {
  title: string;
  /** `--id X` (or grub-mkconfig's `$menuentry_id_option X`), when given. */
  id?: string;
  classes: string[];
  /** The titles of the submenus it sits in, outermost first. */
  submenus: string[];
  /** The kernel command's words after the command name (`linux`, `linuxefi`, `linux16`), as values. */
  linux?: string[];
  initrd?: string[];
  command: GrubCommand;
}

const KERNEL_COMMANDS = new Set(['linux', 'linuxefi', 'linux16', 'kernel']);
const INITRD_COMMANDS = new Set(['initrd', 'initrdefi', 'initrd16']);

/** Every `menuentry` in the script, in menu order, walking into `submenu` blocks and `if` branches. */
export function menuEntries(script: GrubScript, submenus: string[] = []): GrubMenuEntry[] {
  const entries: GrubMenuEntry[] = [];
  for (const item of script) {
    if (item.type === 'if') {
      for (const branch of item.branches) entries.push(...menuEntries(branch.body, submenus));
      continue;
    }
    if (item.type !== 'command' || !item.block) continue;
    const name = grubWordValue(item.words[0]!);
    if (name === 'submenu') entries.push(...menuEntries(item.block, [...submenus, menuTitle(item)]));
    if (name === 'menuentry') entries.push(describeEntry(item, submenus));
  }
  return entries;
}

/** The first argument that is not an option: GRUB's menuentry takes the title anywhere. */
function menuTitle(command: GrubCommand): string {
  return menuArguments(command).title ?? '';
}

function describeEntry(command: GrubCommand, submenus: string[]): GrubMenuEntry {
  const { title, id, classes } = menuArguments(command);
  const entry: GrubMenuEntry = { title: title ?? '', classes, submenus, command, ...(id === undefined ? {} : { id }) };
  for (const inner of walkGrubCommands(command.block ?? [])) {
    const name = grubWordValue(inner.words[0]!);
    const args = inner.words.slice(1).map(grubWordValue);
    if (KERNEL_COMMANDS.has(name) && !entry.linux) entry.linux = args;
    if (INITRD_COMMANDS.has(name) && !entry.initrd) entry.initrd = args;
  }
  return entry;
}

/** Options that take a value, as GRUB's menuentry command declares them (commands/menuentry.c). */
const VALUE_OPTIONS = new Set(['--class', '--users', '--hotkey', '--id', '--source']);

function menuArguments(command: GrubCommand): { title?: string; id?: string; classes: string[] } {
  const words = command.words.slice(1);
  const classes: string[] = [];
  let title: string | undefined;
  let id: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const raw = words[i]!;
    const value = grubWordValue(raw);
    const option = raw === '$menuentry_id_option' || raw === '${menuentry_id_option}' ? '--id' : value.split('=')[0]!;
    if (VALUE_OPTIONS.has(option)) {
      const inline = value.includes('=') && raw !== '$menuentry_id_option' ? value.slice(value.indexOf('=') + 1) : undefined;
      const optionValue = inline ?? grubWordValue(words[++i] ?? '');
      if (option === '--class') classes.push(optionValue);
      if (option === '--id') id = optionValue;
    } else if (!value.startsWith('--') && title === undefined) {
      title = value;
    }
  }
  return { ...(title === undefined ? {} : { title }), ...(id === undefined ? {} : { id }), classes };
}
