import assert from 'node:assert/strict';
import { runFuzz } from './runFuzz';
import { TARGETS } from './targets';

/**
 * Every fuzz target for a few seconds on a fixed seed: each input ends in success or a clean
 * ArborError, within the hang limit, within the heap and RSS limits, writing only where it
 * may. `npm run fuzz` runs the same targets for as long as asked.
 */
describe('fuzzing the parsers (a short run of each target)', function () {
  this.timeout(60_000);
  const seconds = Number(process.env.ARBOR_FUZZ_SECONDS ?? 3);

  for (const target of TARGETS) {
    it(`${target.name}: every mutated input ends cleanly`, async () => {
      const result = await runFuzz({ target: target.name, seconds, seed: 1 });
      const findings = result.findings.map((finding) => `${finding.kind}: ${finding.message.split('\n').slice(0, 3).join(' | ')} (input ${finding.input.toString('hex').slice(0, 80)}...)`);
      assert.deepEqual(findings, []);
      assert.ok(result.seeds > 0, 'the target has seeds');
      assert.ok(result.execs > result.seeds + 20, `only ${result.execs} executions`);
      assert.ok(result.corpus > result.seeds, 'coverage feedback added inputs to the corpus');
    });
  }
});
