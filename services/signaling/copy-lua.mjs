// tsc compiles only TypeScript; the Redis scripts are read at startup from beside their modules
// (new URL('./scripts/x.lua', import.meta.url)), so dist/ needs them in the same places as src/.
import { cpSync, statSync } from 'node:fs';

cpSync('src', 'dist', { recursive: true, filter: (path) => path.endsWith('.lua') || statSync(path).isDirectory() });
