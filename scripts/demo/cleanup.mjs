// The demo stops what it started, even on failure or Ctrl-C: cleanups registered here run in
// reverse order from `finally` and from SIGINT/SIGTERM/SIGHUP handlers, and the handlers also
// stop every child process of this one (arbor serve, qemu) by pid, as read from /proc.
import fs from 'node:fs';

const cleanups = [];
let ran = false;

/** Registers a cleanup; it runs once, at the end or on a signal. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

export async function runCleanups() {
  if (ran) return;
  ran = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}

/** The pids whose parent is this process (field 4 of /proc/PID/stat, after the parenthesised name). */
function childPids() {
  const children = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, async () => {
      console.error(`\ndemo: ${signal}, stopping what it started`);
      for (const pid of childPids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      // Let the children's exits reach their owners (the qemu harness removes its temp dir then).
      for (let wait = 0; wait < 30 && childPids().length; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await runCleanups();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}
