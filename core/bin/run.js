#!/usr/bin/env node
// The `arbor` CLI. oclif finds the commands in dist/cli/commands.
require('@oclif/core').execute({ dir: __dirname });
