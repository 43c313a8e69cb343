import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { countOutcomes, failureText } from './report.ts';
import type { Outcome } from './run.ts';

/*
 * A JUnit XML report of a contract run, as CI servers read it: one testcase per check, a failure
 * with its whole message (reproduction included), a skip with its reason.
 */

/** Characters XML 1.0 cannot hold even escaped (controls, lone surrogates, U+FFFE/F), shown as `\uXXXX`. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

const representable = (text: string) => text.replace(NOT_XML, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Element text: `&`, `<` and `>` escaped; `\r` kept as a reference, as a parser would turn a bare one into `\n`. */
export function xmlText(text: string): string {
  return representable(text).replace(/[&<>\r]/g, (char) => ENTITIES[char]!);
}

/** An attribute value (in double quotes): line breaks and tabs as references, which parsers would otherwise turn into spaces. */
export function xmlAttribute(text: string): string {
  return representable(text).replace(/[&<>"\n\r\t]/g, (char) => ENTITIES[char]!);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const firstLine = (text: string) => text.split('\n', 1)[0]!;

export interface JUnitReport {
  /** The testsuite's name, such as `nimbus-sandbox contract http://127.0.0.1:4010`. */
  suite: string;
  outcomes: readonly Outcome[];
  /** Why the run stopped before its checks (the target unreachable or refusing the key): reported as one error. */
  stopped?: string;
  timestamp: Date;
  durationMs: number;
}

function testcase(outcome: Outcome): string {
  const open = `    <testcase classname="${xmlAttribute(outcome.checkName.split('/')[0]!)}" name="${xmlAttribute(outcome.checkName)}" time="${seconds(outcome.durationMs)}"`;
  if (outcome.status === 'passed') return `${open}/>`;
  if (outcome.status === 'skipped') return `${open}>\n      <skipped message="${xmlAttribute(outcome.reason)}"/>\n    </testcase>`;
  const { error } = outcome;
  return `${open}>\n      <failure message="${xmlAttribute(firstLine(error.message))}" type="${xmlAttribute(error.name)}">${xmlText(failureText(error))}</failure>\n    </testcase>`;
}

export function junitXml(report: JUnitReport): string {
  const { failed, skipped } = countOutcomes(report.outcomes);
  const cases = report.outcomes.map(testcase);
  if (report.stopped !== undefined) {
    cases.push(`    <testcase classname="run" name="run/target-is-reachable-and-accepts-the-key" time="0.000">\n      <error message="${xmlAttribute(firstLine(report.stopped))}" type="RunStopped">${xmlText(report.stopped)}</error>\n    </testcase>`);
  }
  const totals = `tests="${cases.length}" failures="${failed}" errors="${report.stopped === undefined ? 0 : 1}" skipped="${skipped}" time="${seconds(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttribute(report.suite)}" ${totals}>`,
    `  <testsuite name="${xmlAttribute(report.suite)}" timestamp="${report.timestamp.toISOString().replace(/\.\d+Z$/, '')}" ${totals}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes a JUnit report; the reason it could not, or undefined. */
export function writeJUnit(file: string, xml: string): string | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, xml);
    return undefined;
  } catch (error) {
    return `cannot write the JUnit file ${file}: ${(error as Error).message}`;
  }
}
