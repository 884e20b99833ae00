// The doctor: a real deployment (or the mock tailnet) diagnosed hop by hop, with the bytes.
export { runDoctor } from './doctor.ts';
export { renderDoctorText, portProbeNote } from './render.ts';
export { doctorOptionsForStack } from './stack-options.ts';
export type { DoctorOptions, DoctorReport, Step, StepId, Verdict, Diagnosis, WireLine, Deadlines } from './types.ts';
