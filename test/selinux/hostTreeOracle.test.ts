import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadFileContexts } from '@arbor/plugin-selinux';
import { requireTool } from '../support/requireTool';
import { hostPaths } from './hostPaths';
import { matchpathcon, MODE_LETTERS, type LabelQuery } from './matchpathconOracle';

const FIXTURE = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default/file_contexts');
/** Debian's selinux-policy-mls: MLS ranges (s0 - mls_systemhigh) instead of the default policy's s0. */
const MLS_POLICY = '/etc/selinux/mls/contexts/files/file_contexts';

/** Labels every query with our matcher and with matchpathcon, and lists every disagreement. */
async function compareWithMatchpathcon(fileContexts: string, queries: LabelQuery[]): Promise<void> {
  const policy = loadFileContexts(fileContexts);
  const started = process.hrtime.bigint();
  const ours = queries.map((query) => policy.lookup(query.path, query.mode) ?? '<<none>>');
  const ourMs = Number(process.hrtime.bigint() - started) / 1e6;
  const theirs = await matchpathcon(fileContexts, queries);
  const mismatches = queries.flatMap((query, index) =>
    ours[index] === theirs[index] ? [] : [`${MODE_LETTERS.get(query.mode)} ${JSON.stringify(query.path)}: ours ${ours[index]}, matchpathcon ${theirs[index]}`],
  );
  console.log(`      ${queries.length} paths: ${queries.length - mismatches.length} agree; ours took ${ourMs.toFixed(0)} ms`);
  for (const line of mismatches) console.log(`      MISMATCH ${line}`);
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${queries.length} labels differ from matchpathcon`);
}

describe('labels as libselinux does, on every path of this machine', function () {
  this.timeout(15 * 60_000);
  let queries: LabelQuery[];
  before(() => {
    // /usr, /etc and /var as asked, plus the rest of a root filesystem where it exists (device
    // nodes in /dev exercise the -b/-c specs, where the MLS policy differs most).
    queries = hostPaths(['/usr', '/etc', '/var', ...['/dev', '/boot', '/run', '/opt', '/srv', '/home'].filter((dir) => fs.existsSync(dir))]);
  });

  it('gives every path under /usr, /etc, /var (and /dev, /run...) the label matchpathcon gives it under the Debian refpolicy fixture', async function () {
    requireTool(this, 'matchpathcon');
    assert.ok(queries.length >= 20_000, `only ${queries.length} paths`);
    await compareWithMatchpathcon(FIXTURE, queries);
  });

  it('agrees with matchpathcon under a second policy, Debian selinux-policy-mls, whose contexts differ', async function () {
    requireTool(this, 'matchpathcon');
    if (!fs.existsSync(MLS_POLICY)) {
      if (process.env.CI) throw new Error(`needs ${MLS_POLICY} (Debian package selinux-policy-mls)`);
      console.log(`      skipped: needs ${MLS_POLICY} (Debian package selinux-policy-mls)`);
      this.skip();
    }
    const fixture = loadFileContexts(FIXTURE);
    const mls = loadFileContexts(MLS_POLICY);
    const differing = queries.filter((query) => fixture.lookup(query.path, query.mode) !== mls.lookup(query.path, query.mode)).length;
    console.log(`      the two policies label ${differing} of these paths differently`);
    assert.ok(differing > 0, 'the second policy should label some paths differently');
    await compareWithMatchpathcon(MLS_POLICY, queries);
  });
});
