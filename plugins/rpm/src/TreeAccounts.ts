import type { InstallTree } from './InstallTree';

/**
 * User and group names as the tree being installed knows them, from its own etc/passwd and
 * etc/group (rpm resolves owners inside the install root the same way). `root` is always 0,
 * even in a tree that has no passwd yet, as in rpm's rpmug.
 */
export class TreeAccounts {
  private constructor(
    private readonly users: Map<string, number>,
    private readonly groups: Map<string, number>,
  ) {}

  /** `etcDir` is where the tree keeps passwd and group: etc, or usr/etc in commit layout. */
  static read(tree: InstallTree, etcDir = 'etc'): TreeAccounts {
    return new TreeAccounts(parseIds(tree.readFile(`${etcDir}/passwd`), 2), parseIds(tree.readFile(`${etcDir}/group`), 2));
  }

  uid(name: string): number | undefined {
    return name === 'root' ? 0 : this.users.get(name);
  }

  gid(name: string): number | undefined {
    return name === 'root' ? 0 : this.groups.get(name);
  }
}

/** name:password:id:... lines; the first entry of a name wins, as getpwnam's does. */
function parseIds(content: Buffer | undefined, idField: number): Map<string, number> {
  const ids = new Map<string, number>();
  if (!content) return ids;
  for (const line of content.toString('utf8').split('\n')) {
    const fields = line.split(':');
    const name = fields[0];
    const id = fields[idField];
    if (!name || name.startsWith('+') || name.startsWith('-') || id === undefined || !/^\d+$/.test(id)) continue;
    if (!ids.has(name)) ids.set(name, Number(id));
  }
  return ids;
}
