// Stops the control plane global-setup.ts started (the process-exit hook and the watchdog in
// dev/local would also clean up, but an orderly stop keeps the run's exit quick and quiet).
export default async function globalTeardown(): Promise<void> {
  const cp = globalThis.__weightlifterControlPlane;
  globalThis.__weightlifterControlPlane = undefined;
  await cp?.stop();
}
