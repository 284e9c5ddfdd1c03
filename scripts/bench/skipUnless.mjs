// A bench that cannot run here says why and exits 0, so `npm run bench` goes on to the next.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Exits with "skipped: ..." unless every tool is on PATH and the built file `built` exists. */
export function skipUnless({ tools = [], built }) {
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
      console.log(`skipped: needs ${tool} on PATH`);
      process.exit(0);
    }
  }
  if (built && !fs.existsSync(built)) {
    console.log('skipped: build first (npx tsc -b)');
    process.exit(0);
  }
}
