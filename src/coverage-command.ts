/**
 * `nimbus-sandbox coverage`: reads a key's coverage from a running sandbox and shows what its
 * traffic never met first, so a suite's blind spots are the first thing read.
 */
import { bodyWithin, describeFetchError, OversizedAnswer } from '../contract-tests/kit/client.ts';
import { ContractViolation } from '../contract-tests/kit/exchange.ts';
import { junitXml, writeJUnit } from '../contract-tests/kit/junit.ts';
import { printable } from '../contract-tests/kit/printable.ts';
import type { Outcome } from '../contract-tests/kit/run.ts';
import type { CommandIo } from './contract-command.ts';
import { COVERAGE_GROUPS, coverageItems, groupItems, meets, splitByMet, summaryLine, type Coverage, type CoverageItem } from './coverage-report.ts';
import { CoverageOptionError, coverageHelpText, parseCoverageCommandLine, type CoverageSettings } from './coverage-options.ts';

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const PREFIX = 'nimbus-sandbox coverage';
const PATH = '/sandbox/coverage';
/** How long the target has to answer before it counts as not answering. */
const TIMEOUT_MS = 30_000;

/** Far more than any report (tens of KB): a longer answer is not one, and is not read on. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The target could not give a report: said once on stderr, exit code 2. */
class NoReport extends Error {}

/** The answer's text, or NoReport once it passes MAX_ANSWER_BYTES. */
async function boundedText(response: Response): Promise<string> {
  try {
    return await bodyWithin(response, MAX_ANSWER_BYTES);
  } catch (error) {
    if (!(error instanceof OversizedAnswer)) throw error;
    throw new NoReport(`the answer to GET ${PATH} is over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, far more than a coverage report: is --base-url a nimbus-sandbox?`);
  }
}

/** A possibility never met, as a JUnit failure: its message is the hint, with no stack. */
class NeverMet extends ContractViolation {
  override name = 'NeverMet';
}

const envelopeMessage = (text: string): string => {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return [error?.code, error?.message].filter((part) => typeof part === 'string').join(': ');
  } catch {
    return '';
  }
};

/** The shape the command relies on; anything else is not a coverage report. */
function coverageProblem(value: unknown): string | undefined {
  const report = value as Partial<Record<string, unknown>> | null;
  if (typeof report !== 'object' || report === null) return 'not a JSON object';
  const summary = report.summary as Partial<Record<string, unknown>> | undefined;
  if (typeof summary?.seen !== 'number' || typeof summary.total !== 'number') return 'no summary with seen and total';
  const missing = COVERAGE_GROUPS.find(({ name }) => !Array.isArray(report[name]));
  if (missing !== undefined) return `no list of ${missing.name}`;
  const countless = COVERAGE_GROUPS.find(({ name }) => !(report[name] as unknown[]).every((entry) => Number.isSafeInteger((entry as { count?: unknown } | null)?.count) && (entry as { count: number }).count >= 0));
  return countless === undefined ? undefined : `an entry of ${countless.name} is not an object with a count`;
}

async function readCoverage({ baseUrl, apiKey }: CoverageSettings): Promise<{ coverage: Coverage; text: string }> {
  const url = `${baseUrl.replace(/\/+$/, '')}${PATH}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { 'X-API-Key': apiKey, Accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await boundedText(response);
  } catch (error) {
    if (error instanceof NoReport) throw error;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : describeFetchError(error);
    throw new NoReport(`cannot reach the target ${baseUrl} (${reason}): is it running, and is --base-url right?`);
  }
  // A target may echo the key it was sent; it is never printed.
  const said = envelopeMessage(text).replaceAll(apiKey, '(the API key)');
  const answered = `GET ${PATH} answered ${response.status}${said === '' ? '' : ` (${said})`}`;
  if (response.status === 401 || response.status === 403) {
    throw new NoReport(`the target refuses the API key given (--api-key or NIMBUS_API_KEY): ${answered}. Pass the key your tests used; a sandbox started with --api-keys takes only those.`);
  }
  if (response.status === 404) {
    throw new NoReport(`${baseUrl} has no ${PATH} (${answered}): it is not a nimbus-sandbox, or one too old to count coverage. Point --base-url at the nimbus-sandbox your tests ran against, upgraded.`);
  }
  if (!response.ok) throw new NoReport(`the target could not give the coverage report: ${answered}. Try again; if it persists, look at the sandbox's log.`);
  let coverage: unknown;
  try {
    coverage = JSON.parse(text);
  } catch {
    coverage = undefined;
  }
  const problem = coverageProblem(coverage);
  if (problem !== undefined) throw new NoReport(`the answer of ${baseUrl}${PATH} is not a coverage report (${problem}): is --base-url a nimbus-sandbox?`);
  return { coverage: coverage as Coverage, text };
}

const times = (count: number) => `${count} ${count === 1 ? 'time' : 'times'}`;

/** Lines for items of one kind (never met, or met), grouped and indented. */
function groupLines(items: readonly CoverageItem[], line: (item: CoverageItem) => string): string[] {
  return groupItems(items).flatMap(({ title, lists }) => [`  ${title}`, ...lists.flatMap(({ under, items: listed }) =>
    under === '' ? listed.map((one) => `    ${line(one)}`) : [`    ${under}`, ...listed.map((one) => `      ${line(one)}`)])]);
}

/** The report as read: never met first (with how to trigger each), then met, then the summary line. */
export function coverageText(coverage: Coverage): string {
  const { unmet, met } = splitByMet(coverage);
  const { total } = coverage.summary;
  return [
    `Never met (${unmet.length} of ${total}):`,
    ...(unmet.length === 0 ? ['  nothing: every possibility was met'] : groupLines(unmet, (one) => `${one.label}${one.hint === undefined ? '' : `: ${one.hint}`}`)),
    '',
    `Met (${met.length} of ${total}):`,
    ...(met.length === 0 ? ['  nothing yet: run your tests against this sandbox with this key first'] : groupLines(met, (one) => `${one.label}: ${times(one.count)}${one.detail === '' ? '' : ` (${one.detail})`}`)),
    '',
    summaryLine(coverage.summary),
  ].map(printable).join('\n');
}

function junitReport(coverage: Coverage, baseUrl: string, timestamp: Date, durationMs: number): string {
  const outcomes: Outcome[] = coverageItems(coverage).map((one) => one.count > 0
    ? { checkName: one.name, status: 'passed', durationMs: 0 }
    : { checkName: one.name, status: 'failed', error: new NeverMet(`Never met. ${one.hint ?? ''}`.trim()), durationMs: 0 });
  return junitXml({ suite: `${PREFIX} ${baseUrl}`, outcomes, timestamp, durationMs });
}

function writeJUnitFile(file: string, text: string): void {
  const unwritten = writeJUnit(file, text);
  if (unwritten !== undefined) throw new NoReport(unwritten);
}

/** Runs the command with the arguments after `coverage`; resolves with its exit code (0, 1 or 2). */
export async function coverageCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo = processIo): Promise<number> {
  try {
    const commandLine = parseCoverageCommandLine(argv, env);
    if (commandLine.help) {
      io.stdout(`${coverageHelpText()}\n`);
      return 0;
    }
    const timestamp = new Date();
    const started = performance.now();
    const { coverage, text } = await readCoverage(commandLine);
    if (commandLine.junitFile !== undefined) writeJUnitFile(commandLine.junitFile, junitReport(coverage, commandLine.baseUrl, timestamp, performance.now() - started));
    io.stdout(commandLine.json ? `${text.trimEnd()}\n` : `${coverageText(coverage)}\n`);
    const { failUnder } = commandLine;
    if (failUnder === undefined || meets(coverage.summary, failUnder)) return 0;
    const under = `Under --fail-under ${failUnder}%`;
    if (commandLine.json) io.stderr(`${PREFIX}: ${under}: ${summaryLine(coverage.summary)}.\n`);
    else io.stdout(`${under}: the possibilities never met are listed first.\n`);
    return 1;
  } catch (error) {
    if (error instanceof CoverageOptionError) {
      io.stderr(`${PREFIX}: ${error.message}\nRun ${PREFIX} --help to see the options.\n`);
      return 2;
    }
    if (error instanceof NoReport) {
      io.stderr(`${PREFIX}: ${printable(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
