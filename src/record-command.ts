/**
 * `nimbus-sandbox record`: the kit's recording proxy (contract-tests/drift/record.ts) as a
 * command, running until Ctrl-C or SIGTERM.
 */
import { UsageError } from '../contract-tests/kit/option-table.ts';
import { startRecorder, type Recorder } from '../contract-tests/drift/record.ts';
import { parseRecordCommandLine, recordHelpText } from '../contract-tests/drift/record-options.ts';
import { processIo, type CommandIo } from './contract-command.ts';
import { packageVersion } from './package-info.ts';

const PREFIX = 'nimbus-sandbox record';

/** Resolves once the process is told to stop (Ctrl-C, SIGTERM). */
function processStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
}

/** Runs the command with the arguments after `record`; resolves with its exit code (0 or 2) once stopped. */
export async function recordCommand(
  argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo, stopSignal: () => Promise<void> = processStopSignal,
): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`${PREFIX}: ${message}\n`);
    return 2;
  };
  let recorder: Recorder;
  try {
    const commandLine = parseRecordCommandLine(argv, env);
    if (commandLine.help) {
      io.stdout(`${recordHelpText()}\n`);
      return 0;
    }
    const { help: _, ...settings } = commandLine;
    recorder = await startRecorder({ ...settings, recorder: `nimbus-sandbox ${packageVersion()}`, output: { log: (line) => io.stdout(`${line}\n`) } });
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\nRun ${PREFIX} --help to see the options.`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return fail(`${(error as Error).message}: another program listens there; pass --port with another port, or --port 0 for any free one`);
    if (code === 'EADDRNOTAVAIL') return fail(`${(error as Error).message}: this machine has no such address; pass --host with one of its addresses`);
    if (code !== undefined && (error as NodeJS.ErrnoException).syscall === 'open') return fail(`cannot write the transcript: ${(error as Error).message}; pass --out with a file you may write`);
    throw error;
  }
  io.stdout(`Recording ${recorder.upstream} on ${recorder.url} into ${recorder.outFile}\n`);
  await stopSignal();
  const recorded = await recorder.stop();
  io.stdout(`Stopped: ${recorded} exchange${recorded === 1 ? '' : 's'} recorded into ${recorder.outFile}\n`);
  return 0;
}
