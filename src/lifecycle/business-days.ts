/** `days` business days (Monday to Friday) after the UTC date of `from`, as YYYY-MM-DD. */
export function addBusinessDays(from: number, days: number): string {
  const date = new Date(from);
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return date.toISOString().slice(0, 10);
}
