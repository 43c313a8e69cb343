import type { Fixtures } from '../fixtures/fixtures.ts';
import { ORDER_OUTCOMES, REFILL_OUTCOMES } from './magic-values.ts';
import { DEFAULT_PRESCRIPTION, TEST_PRESCRIPTIONS, type PrescriptionRules } from './prescriptions.ts';
import { TEST_PATIENT_IDS } from './test-data.ts';

/**
 * The patients and prescriptions the sandbox knows: the published test data, the magic
 * prescriptions whose orders and refills are accepted (so they work under strict validation
 * too), and loaded fixtures.
 */
export class Catalog {
  private readonly patients = new Set<string>(TEST_PATIENT_IDS);
  private readonly prescriptions = new Map<string, PrescriptionRules>([
    ...Object.entries(TEST_PRESCRIPTIONS),
    ...Object.keys({ ...ORDER_OUTCOMES, ...REFILL_OUTCOMES }).map((id): [string, PrescriptionRules] => [id, DEFAULT_PRESCRIPTION]),
  ]);

  /** The catalog with a fixture file's patients and prescriptions added. */
  static withFixtures(fixtures: Fixtures | undefined): Catalog {
    const catalog = new Catalog();
    for (const patient of fixtures?.patients ?? []) catalog.addPatient(patient.id);
    for (const { id, quantity, refills, daysSupply } of fixtures?.prescriptions ?? []) catalog.addPrescription(id, { quantity, refills, daysSupply });
    return catalog;
  }

  addPatient(patientId: string): void {
    this.patients.add(patientId);
  }

  addPrescription(prescriptionId: string, rules: PrescriptionRules): void {
    this.prescriptions.set(prescriptionId, rules);
  }

  knowsPatient(patientId: string): boolean {
    return this.patients.has(patientId);
  }

  knowsPrescription(prescriptionId: string): boolean {
    return this.prescriptions.has(prescriptionId);
  }

  /** A known prescription's rules; what an unknown one gets under "basic" validation otherwise. */
  rules(prescriptionId: string): PrescriptionRules {
    return this.prescriptions.get(prescriptionId) ?? DEFAULT_PRESCRIPTION;
  }
}
