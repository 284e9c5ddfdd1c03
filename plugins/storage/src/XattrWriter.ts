import { setXattr, type Logger } from '@arbor/core';

const isRoot = process.getuid?.() === 0;

/**
 * Writes a checkout's xattrs where the kernel allows, and says once what it could not write.
 * Root sets them all (security.selinux too, even with SELinux disabled); any other user only
 * user.* (xattr(7): the security and trusted namespaces need privilege), as ostree's --user-mode
 * does. A non-user xattr the filesystem refuses (ENOTSUP, EPERM) is skipped, not fatal: the
 * files are right, only their labels are missing, and the checkout says so.
 */
export class XattrWriter {
  /** Skipped names, each with why (the first reason seen). */
  private readonly skipped = new Map<string, string>();

  write(target: string | Buffer, xattrs: Iterable<[string, Buffer]>): void {
    for (const [name, value] of xattrs) {
      const user = name.startsWith('user.');
      if (!isRoot && !user) {
        if (!this.skipped.has(name)) this.skipped.set(name, 'only root can set them');
        continue;
      }
      try {
        setXattr(target, name, value);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (user || (code !== 'ENOTSUP' && code !== 'EPERM')) throw error;
        if (!this.skipped.has(name)) this.skipped.set(name, `the filesystem refuses them (${code})`);
      }
    }
  }

  /** One warning for the whole checkout, if anything was skipped. */
  report(logger: Logger, dest: string): void {
    if (this.skipped.size === 0) return;
    const what = [...this.skipped].map(([name, reason]) => `${name} (${reason})`).join(', ');
    logger.warn(`Checkout of ${dest} left out these xattrs: ${what}`);
  }
}
