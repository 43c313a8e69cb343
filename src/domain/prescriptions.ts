/** The refill rules a prescription carries. */
export interface PrescriptionRules {
  /** Units dispensed per fill; a refill's default and largest requestedQuantity. */
  quantity: number;
  /** Refills allowed in all. */
  refills: number;
  /** Days one fill lasts; a new refill is allowed once 75% of it has passed. */
  daysSupply: number;
}

export const REFILL_WINDOW_SHARE = 0.75;

/** The published test prescriptions, with believable rules. */
export const TEST_PRESCRIPTIONS: Readonly<Record<string, PrescriptionRules>> = {
  rx_9876543210: { quantity: 30, refills: 5, daysSupply: 30 },
  rx_test_001: { quantity: 90, refills: 3, daysSupply: 90 },
  rx_test_002: { quantity: 60, refills: 2, daysSupply: 30 },
};

/** What a well-formed prescription id the sandbox does not know gets under "basic" validation. */
export const DEFAULT_PRESCRIPTION: PrescriptionRules = { quantity: 30, refills: 5, daysSupply: 30 };
