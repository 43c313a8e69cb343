/**
 * Carrier tracking-number formats and check digits, as the sandbox contract publishes them
 * (written here from the published rules, independently of the sandbox's own code).
 */

export type Carrier = 'UPS' | 'FedEx' | 'USPS';

const digits = (text: string) => [...text].map(Number);

/** UPS `1Z` + 15 characters + a check digit: letters count as (code − 63) mod 10; odd positions ×1, even ×2; mod 10. */
export function upsCheckDigit(body15: string): number {
  const values = [...body15].map((char) => (/\d/.test(char) ? Number(char) : (char.charCodeAt(0) - 63) % 10));
  const sum = values.reduce((total, value, index) => total + value * (index % 2 === 0 ? 1 : 2), 0);
  return (10 - (sum % 10)) % 10;
}

/** FedEx 12 digits: weights 3, 1, 7 from the left over the first 11; sum mod 11, then mod 10. */
export function fedexCheckDigit(first11: string): number {
  const weights = [3, 1, 7];
  return (digits(first11).reduce((total, digit, index) => total + digit * weights[index % 3]!, 0) % 11) % 10;
}

/** USPS 22 digits: weights 3, 1 from the right over the first 21; mod 10. */
export function uspsCheckDigit(first21: string): number {
  const sum = digits(first21).reverse().reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
}

export interface TrackingVerdict {
  carrier?: Carrier;
  /** Why the number is not a valid tracking number; undefined when it is. */
  problem?: string;
}

/** Which published carrier format the number has, and whether its check digit verifies. */
export function verifyTrackingNumber(trackingNumber: string): TrackingVerdict {
  const check = (carrier: Carrier, expected: number): TrackingVerdict => {
    const actual = Number(trackingNumber.at(-1));
    return actual === expected ? { carrier } : { carrier, problem: `its ${carrier} check digit is ${actual}, but the digits before it give ${expected}` };
  };
  if (/^1Z[0-9A-Z]{16}$/.test(trackingNumber) && /\d$/.test(trackingNumber)) return check('UPS', upsCheckDigit(trackingNumber.slice(2, 17)));
  if (/^\d{12}$/.test(trackingNumber)) return check('FedEx', fedexCheckDigit(trackingNumber.slice(0, 11)));
  if (/^\d{22}$/.test(trackingNumber)) return check('USPS', uspsCheckDigit(trackingNumber.slice(0, 21)));
  return { problem: 'it is in no published carrier format (UPS 1Z + 16 characters, FedEx 12 digits, USPS 22 digits)' };
}
