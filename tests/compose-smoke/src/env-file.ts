/**
 * The two env-file dialects the smoke test meets: infra/images/images.env (sourced by shells, so
 * values may be quoted) and the `.env` it writes for docker-compose (read by compose, written
 * unquoted: compose 1.29 would turn a `\n` inside double quotes into a real line break, while the
 * services expect the one-line PEM form with literal `\n`, as .env.example documents it).
 */

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Reads KEY=VALUE lines; comments, blank lines and anything else are ignored. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = ASSIGNMENT.exec(line.trim());
    if (!match) continue;
    const [, name = '', raw = ''] = match;
    values[name] = unquote(raw.trim());
  }
  return values;
}

function unquote(raw: string): string {
  const quote = raw[0];
  if ((quote === '"' || quote === "'") && raw.length >= 2) {
    const end = raw.indexOf(quote, 1);
    if (end > 0) return raw.slice(1, end);
  }
  // Unquoted: a comment starts at a '#' that follows whitespace, as in a shell.
  return raw.replace(/\s+#.*$/, '');
}

/**
 * Writes values as compose reads them, unquoted. A value compose would read differently is
 * refused rather than written wrong: a line break, a leading quote, or " #" (a comment to compose).
 */
export function formatEnvFile(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
      if (/[\r\n]/.test(value) || /^["']/.test(value) || /\s#/.test(value)) {
        throw new Error(`${name}: value cannot be written to an env file unquoted`);
      }
      return `${name}=${value}\n`;
    })
    .join('');
}
