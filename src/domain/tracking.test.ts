import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARRIERS, isValidTrackingNumber, trackingNumber, type Carrier } from './tracking.ts';

/** The published example of each carrier's format. */
const PUBLISHED = { UPS: '1Z999AA10123456784', FedEx: '123456789012', USPS: '9400111899223197428490' } as const;

const FORMAT: Record<Carrier, RegExp> = {
  UPS: /^1Z999AA1\d{10}$/,
  FedEx: /^\d{12}$/,
  USPS: /^9400111\d{15}$/,
};

/** The randomness `trackingNumber` takes: at least 20 decimal digits. */
const randomDigits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 20, maxLength: 20 }).map((digits) => digits.join(''));

function withDigit(text: string, index: number, digit: number): string {
  return `${text.slice(0, index)}${digit}${text.slice(index + 1)}`;
}

describe('published examples', () => {
  it('verifies the published UPS example', () => {
    expect(isValidTrackingNumber(PUBLISHED.UPS)).toBe(true);
  });

  it('verifies the published FedEx example', () => {
    expect(isValidTrackingNumber(PUBLISHED.FedEx)).toBe(true);
  });

  it('does not verify the published USPS example (its check digit is wrong)', () => {
    expect(isValidTrackingNumber(PUBLISHED.USPS)).toBe(false);
  });

  it('verifies the USPS example once its check digit is corrected', () => {
    // 9400111899223197428490 has check digit 0; the weights 3-1 from the right give 7.
    expect(isValidTrackingNumber(withDigit(PUBLISHED.USPS, 21, 7))).toBe(true);
  });
});

describe('generated tracking numbers', () => {
  it.each(CARRIERS)('gives %s numbers in the published format', (carrier) => {
    fc.assert(fc.property(randomDigits, (digits) => {
      expect(trackingNumber(carrier, digits)).toMatch(FORMAT[carrier]);
    }));
  });

  it.each(CARRIERS)('gives %s numbers with a valid check digit', (carrier) => {
    fc.assert(fc.property(randomDigits, (digits) => {
      expect(isValidTrackingNumber(trackingNumber(carrier, digits))).toBe(true);
    }));
  });

  it.each(CARRIERS)('gives %s numbers that differ with the random digits', (carrier) => {
    expect(trackingNumber(carrier, '1'.repeat(20))).not.toBe(trackingNumber(carrier, '2'.repeat(20)));
  });
});

describe('a changed digit', () => {
  it.each(CARRIERS)('fails a %s number when its check digit is changed', (carrier) => {
    fc.assert(fc.property(randomDigits, fc.integer({ min: 1, max: 9 }), (digits, shift) => {
      const number = trackingNumber(carrier, digits);
      const last = number.length - 1;
      expect(isValidTrackingNumber(withDigit(number, last, (Number(number[last]) + shift) % 10))).toBe(false);
    }));
  });

  // UPS doubles every other place and FedEx folds 10 into 0, so neither catches every change of
  // a body digit; a change by one always changes the sum, and USPS (weight 3 or 1) catches any.
  it.each(['UPS', 'USPS'] as const)('fails a %s number when one body digit is changed by one', (carrier) => {
    fc.assert(fc.property(randomDigits, fc.nat(), (digits, pick) => {
      const number = trackingNumber(carrier, digits);
      const bodyStart = carrier === 'UPS' ? 2 : 0; // after UPS's fixed "1Z"
      const places = [...number.slice(0, -1)].flatMap((char, i) => (i >= bodyStart && /\d/.test(char) ? [i] : []));
      const place = places[pick % places.length]!;
      expect(isValidTrackingNumber(withDigit(number, place, (Number(number[place]) + 1) % 10))).toBe(false);
    }));
  });

  it('fails a USPS number when any body digit is changed to any other digit', () => {
    fc.assert(fc.property(randomDigits, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 9 }), (digits, place, shift) => {
      const number = trackingNumber('USPS', digits);
      expect(isValidTrackingNumber(withDigit(number, place, (Number(number[place]) + shift) % 10))).toBe(false);
    }));
  });

  it.each(Object.entries(PUBLISHED).filter(([carrier]) => carrier !== 'USPS'))('fails the published %s example with a changed digit', (_carrier, number) => {
    const last = number.length - 1;
    expect(isValidTrackingNumber(withDigit(number, last, (Number(number[last]) + 1) % 10))).toBe(false);
  });
});

describe('other shapes', () => {
  it.each(['', '1Z999AA1012345678', '12345678901', '94001118992231974284901', '1z999aa10123456784', 'ABCDEFGHIJKL'])('refuses %j', (text) => {
    expect(isValidTrackingNumber(text)).toBe(false);
  });
});
