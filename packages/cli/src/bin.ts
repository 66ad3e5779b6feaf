#!/usr/bin/env node
// The `kzoo` command.
import { hideBin } from 'yargs/helpers';
import { buildCli } from './cli';

void buildCli(hideBin(process.argv)).parseAsync();
