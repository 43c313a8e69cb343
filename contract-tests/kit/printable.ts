/**
 * Text from the target made safe to print: each C0 and C1 control character but tab and newline
 * (ANSI escapes, carriage returns, bells) as `\xHH`, so a target cannot rewrite or hide lines of
 * the terminal or CI log that shows the kit's findings.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
