/**
 * `nimbus-sandbox replay FILE --target URL`: sends a transcript's requests to the target and
 * compares its answers with the recorded ones (contract-tests/drift/replay.ts).
 */
import { replay, type ReplayOutput } from '../contract-tests/drift/replay.ts';
import { parseReplayCommandLine, ReplayOptionError, replayHelpText } from '../contract-tests/drift/replay-options.ts';
import type { CommandIo } from './contract-command.ts';

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const PREFIX = 'nimbus-sandbox replay';

/** Runs the command with the arguments after `replay`; resolves with its exit code (0, 1 or 2). */
export async function replayCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo): Promise<number> {
  const output: ReplayOutput = {
    log: (line) => io.stdout(`${line}\n`),
    error: (line) => io.stderr(`${PREFIX}: ${line}\n`),
  };
  try {
    const commandLine = parseReplayCommandLine(argv, env);
    if (commandLine.help) {
      io.stdout(`${replayHelpText()}\n`);
      return 0;
    }
    const { help: _, ...settings } = commandLine;
    return (await replay({ ...settings, output })).exitCode;
  } catch (error) {
    if (!(error instanceof ReplayOptionError)) throw error;
    io.stderr(`${PREFIX}: ${error.message}\nRun ${PREFIX} --help to see the options.\n`);
    return 2;
  }
}
