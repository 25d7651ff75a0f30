// A stand-in `weightlifter` entry with only the ops subcommands, for tests that run the CLI as a
// real process (pipes, exit codes, NO_COLOR). src/cli/main.ts wires the same registerOpsCommands.
import { Command } from 'commander';
import { registerOpsCommands } from '../../src/cli/commands/index.js';

const program = registerOpsCommands(new Command('weightlifter'));
await program.parseAsync(process.argv);
