import { ConfigError } from '@meshcall/shared';
import { serve } from '@meshcall/server-kit';
import { buildApp } from './app.js';
import { loadAuthConfig } from './config.js';

/** Process concerns only: read the environment, build the app, listen, stop gracefully on SIGTERM. */
async function main(): Promise<void> {
  const config = loadAuthConfig();
  const app = await buildApp(config);
  await serve(app, { host: config.HOST, port: config.PORT });
}

main().catch((error: unknown) => {
  // A configuration error is the operator's to fix: print it plainly, without a stack trace.
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
