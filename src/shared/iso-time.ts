/** Date#toISOString's own form for years 0000–9999: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const num = (s: string, at: number, len: number): number => {
  let n = 0;
  for (let i = at; i < at + len; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * True when `s` is exactly what `new Date(s).toISOString()` returns: that form, and a real calendar time
 * (no 2026-02-30, no 24:00). Checked by hand because parsing and re-printing a Date per alert field was
 * the largest cost of reading an alert.
 */
export function isIsoUtcMs(s: string): boolean {
  if (s.length !== 24 || !ISO_MS.test(s)) return false;
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return num(s, 11, 2) <= 23 && num(s, 14, 2) <= 59 && num(s, 17, 2) <= 59;
}
