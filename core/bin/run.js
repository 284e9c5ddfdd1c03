#!/usr/bin/env node
// The `arbor` CLI. oclif finds the commands in dist/cli/commands. Commands import oclif's parts
// (@oclif/core/execute, /command, /flags, /args) rather than its index, which loads ~15 ms more.
// oclif's Node version check loads semver on every start (~30 ms); npm already enforces our
// engines field, so it is skipped unless the user asks for it.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
require('@oclif/core/execute').execute({ dir: __dirname });
