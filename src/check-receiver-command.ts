/**
 * `nimbus-sandbox check-receiver`: the kit's webhook receiver check
 * (contract-tests/drift/check-receiver.ts) as a command.
 */
import { checkReceiver } from '../contract-tests/drift/check-receiver.ts';
import { checkReceiverHelpText, parseCheckReceiverCommandLine } from '../contract-tests/drift/check-receiver-options.ts';
import { UsageError } from '../contract-tests/kit/option-table.ts';
import { processIo, type CommandIo } from './contract-command.ts';

const PREFIX = 'nimbus-sandbox check-receiver';

/** Runs the command with the arguments after `check-receiver`; resolves with its exit code (0, 1 or 2). */
export async function checkReceiverCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo): Promise<number> {
  try {
    const commandLine = parseCheckReceiverCommandLine(argv, env);
    if (commandLine.help) {
      io.stdout(`${checkReceiverHelpText()}\n`);
      return 0;
    }
    const { help: _, ...settings } = commandLine;
    const result = await checkReceiver({ ...settings, output: { log: (line) => io.stdout(`${line}\n`) } });
    if (result.problem !== undefined) io.stderr(`${PREFIX}: ${result.problem}\n`);
    return result.exitCode;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${PREFIX}: ${error.message}\nRun ${PREFIX} --help to see the options.\n`);
    return 2;
  }
}
