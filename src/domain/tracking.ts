/** Carrier tracking numbers in the published formats, each with a valid check digit. */
export type Carrier = 'UPS' | 'FedEx' | 'USPS';
export const CARRIERS: readonly Carrier[] = ['UPS', 'FedEx', 'USPS'];

const digitsOf = (text: string) => [...text].map(Number);

/** UPS 1Z: letters count as (code − 63) mod 10; odd places once, even places twice; mod 10. */
export function upsCheckDigit(body15: string): number {
  const values = [...body15].map((c) => (/\d/.test(c) ? Number(c) : (c.charCodeAt(0) - 63) % 10));
  const sum = values.reduce((total, value, i) => total + (i % 2 === 1 ? value * 2 : value), 0);
  return (10 - (sum % 10)) % 10;
}

/** FedEx 12-digit: weights 3, 1, 7 repeating from the left over the first 11 digits; mod 11, then mod 10. */
export function fedexCheckDigit(first11: string): number {
  const weights = [3, 1, 7];
  const sum = digitsOf(first11).reduce((total, digit, i) => total + digit * weights[i % 3]!, 0);
  return (sum % 11) % 10;
}

/** USPS 22-digit: weights 3, 1 alternating from the right over the first 21 digits; mod 10. */
export function uspsCheckDigit(first21: string): number {
  const sum = digitsOf(first21).reverse().reduce((total, digit, i) => total + digit * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
}

export function isValidTrackingNumber(trackingNumber: string): boolean {
  if (/^1Z[0-9A-Z]{16}$/.test(trackingNumber)) return upsCheckDigit(trackingNumber.slice(2, 17)) === Number(trackingNumber[17]);
  if (/^\d{12}$/.test(trackingNumber)) return fedexCheckDigit(trackingNumber.slice(0, 11)) === Number(trackingNumber[11]);
  if (/^\d{22}$/.test(trackingNumber)) return uspsCheckDigit(trackingNumber.slice(0, 21)) === Number(trackingNumber[21]);
  return false;
}

/** `digits` supplies randomness as a string of decimal digits (at least 20). */
export function trackingNumber(carrier: Carrier, digits: string): string {
  switch (carrier) {
    case 'UPS': {
      const body = `999AA1${digits.slice(0, 9)}`;
      return `1Z${body}${upsCheckDigit(body)}`;
    }
    case 'FedEx': {
      const body = `7${digits.slice(0, 10)}`;
      return `${body}${fedexCheckDigit(body)}`;
    }
    case 'USPS': {
      const body = `9400111${digits.slice(0, 14)}`;
      return `${body}${uspsCheckDigit(body)}`;
    }
  }
}
