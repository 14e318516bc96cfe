/**
 * Resident ID numbers (GB 11643-1999), checked in the browser by the API's own pure module
 * (src/org/resident-id.ts: no imports, no Node), so the form and the API can never disagree.
 */
export { isValidResidentId, normalizeResidentId, residentIdCheckCharacter } from '../../../src/org/resident-id';
