export interface PhaseRecord {
  phase: string;
  seconds: number;
  outcome: 'passed' | 'failed';
}

/** Wall-clock time of each phase of a run, kept for the report (never asserted on). */
export class PhaseTimer {
  private readonly recorded: PhaseRecord[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `work` as the phase `phase`; the time is recorded whether it succeeds or throws. */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = this.now();
    let outcome: PhaseRecord['outcome'] = 'failed';
    try {
      const result = await work();
      outcome = 'passed';
      return result;
    } finally {
      this.recorded.push({ phase, seconds: Math.round((this.now() - started) / 10) / 100, outcome });
    }
  }

  get records(): readonly PhaseRecord[] {
    return this.recorded;
  }

  /** A plain-text table: one phase a line, then the total. */
  table(): string {
    const width = Math.max(5, ...this.recorded.map((record) => record.phase.length));
    const total = this.recorded.reduce((sum, record) => sum + record.seconds, 0);
    const line = (phase: string, seconds: number, note = '') => `${phase.padEnd(width)}  ${seconds.toFixed(2).padStart(8)} s${note}`;
    return [
      ...this.recorded.map((record) => line(record.phase, record.seconds, record.outcome === 'failed' ? '  (failed)' : '')),
      line('total', Math.round(total * 100) / 100),
    ].join('\n');
  }
}
