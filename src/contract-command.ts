/**
 * `nimbus-sandbox contract`: the contract kit's runner as a command. Without --base-url it checks
 * a sandbox of this package, started in this process on a free loopback port and stopped after.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runContract, type ContractOutput } from '../contract-tests/contract.ts';
import { allChecks } from '../contract-tests/checks/index.ts';
import { ContractOptionError, contractHelpText, parseContractCommandLine } from '../contract-tests/kit/options.ts';
import { selectChecks } from '../contract-tests/kit/run.ts';
import { createSandbox } from './sandbox.ts';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const PREFIX = 'nimbus-sandbox contract';

/** A fetch handler served on 127.0.0.1, on a port the system picks. */
export async function serveOnFreePort(fetch: (request: Request) => Response | Promise<Response>): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const started = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started as Server)) as Server;
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A sandbox with default options served on 127.0.0.1, on a port the system picks. */
async function startSandbox(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const sandbox = createSandbox();
  const served = await serveOnFreePort(sandbox.fetch);
  return {
    baseUrl: served.baseUrl,
    stop: async () => {
      await served.stop();
      await sandbox.close();
    },
  };
}

/** Runs the command with the arguments after `contract`; resolves with its exit code (0, 1 or 2). */
export async function contractCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo): Promise<number> {
  const output: ContractOutput = {
    log: (line) => io.stdout(`${line}\n`),
    error: (line) => io.stderr(`${PREFIX}: ${line}\n`),
  };
  const usageError = (message: string) => {
    io.stderr(`${PREFIX}: ${message}\nRun ${PREFIX} --help to see the options.\n`);
    return 2;
  };
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  try {
    const commandLine = parseContractCommandLine(argv, env);
    if (commandLine.help) {
      io.stdout(`${contractHelpText()}\n`);
      return 0;
    }
    const { help: _, ...settings } = commandLine;
    selectChecks(allChecks, settings.only);
    if (settings.baseUrl === undefined) {
      sandbox = await startSandbox();
      output.log(`Started a sandbox in this process at ${sandbox.baseUrl} for this run (pass --base-url to check another implementation)`);
    }
    const result = await runContract({
      ...settings,
      ...(sandbox === undefined ? {} : { baseUrl: sandbox.baseUrl, rerunCommand: PREFIX }),
      output,
    });
    return result.exitCode;
  } catch (error) {
    if (error instanceof ContractOptionError) return usageError(error.message);
    throw error;
  } finally {
    await sandbox?.stop();
  }
}
