/** The patient layer's limits live with every other limit in src/config.ts (group PATIENT). */
export { PATIENT as PATIENT_LIMITS } from '../config.js'
