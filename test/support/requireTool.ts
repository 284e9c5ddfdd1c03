import { execFileSync } from 'node:child_process';

const found = new Map<string, boolean>();

function onPath(tool: string): boolean {
  let ok = found.get(tool);
  if (ok === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
    found.set(tool, ok);
  }
  return ok;
}

/**
 * Oracle tests need real tools (rpm, ostree, nginx, ...). In CI a missing tool is a failure,
 * since .ci/run installs them all; on a developer's machine the test skips and says which
 * tool it wanted, so the gap is visible rather than silent.
 */
export function requireTool(ctx: Mocha.Context, ...tools: string[]): void {
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length === 0) return;
  const message = `needs ${missing.join(', ')} on PATH`;
  if (process.env.CI) throw new Error(`${message} (CI installs it in .ci/run)`);
  // eslint-disable-next-line no-console
  console.log(`      skipped: ${message}`);
  ctx.skip();
}

/**
 * As requireTool, for what is no tool on PATH (a library, firmware, a data directory): the test
 * needs the Debian package `name`, and `installed` says whether this machine has it.
 */
export function requirePackage(ctx: Mocha.Context, name: string, installed: boolean): void {
  if (installed) return;
  const message = `needs the Debian package ${name}`;
  if (process.env.CI) throw new Error(`${message} (CI installs it in .ci/run)`);
  // eslint-disable-next-line no-console
  console.log(`      skipped: ${message}`);
  ctx.skip();
}

/** True when running as root: tests of real owners and security.* xattrs need it. */
export function requireRoot(ctx: Mocha.Context): void {
  if (process.getuid?.() === 0) return;
  if (process.env.CI) throw new Error('needs root (CI runs as root)');
  console.log('      skipped: needs root');
  ctx.skip();
}
