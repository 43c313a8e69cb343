import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /listening on (https?:\/\/\S+)/;

export interface LocalSandbox {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts this repository's sandbox (`node --import tsx src/cli.ts --port 0`) on a free port and
 * resolves with the URL it prints. Fails after `timeoutMs` with whatever it wrote to stderr.
 */
export async function startLocalSandbox(timeoutMs: number): Promise<LocalSandbox> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the local sandbox printed no "listening on" line within ${timeoutMs} ms (NIMBUS_LIFECYCLE_TIMEOUT)`)), timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = LISTENING.exec(stdout);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the local sandbox exited (${signal ?? `code ${code}`}) before listening`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { baseUrl, stop };
  } catch (error) {
    await stop();
    throw new Error(`Could not start the local sandbox: ${(error as Error).message}\n${stderr}`.trim(), { cause: error });
  }
}
