/**
 * Loudness of one analyser frame as 0..1 for the microphone meter. Input is the byte time-domain
 * data of an AnalyserNode (128 = silence). The RMS is scaled so speech fills most of the meter.
 */
export function audioLevel(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sumOfSquares = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const centered = ((samples[i] ?? 128) - 128) / 128;
    sumOfSquares += centered * centered;
  }
  const rms = Math.sqrt(sumOfSquares / samples.length);
  return Math.min(1, rms * 4);
}

/** Meter level with a fast rise and slow fall, so it reads as a level and not as flicker. */
export function smoothLevel(previous: number, next: number): number {
  return next > previous ? next : previous * 0.85 + next * 0.15;
}
